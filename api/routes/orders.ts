import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { defaultFulfilmentSettings } from '../../workflows/contracts';
import type { AppDeps } from '../app';
import {
  auditResponse,
  createOrderBody,
  errorResponse,
  idempotencyHeaders,
  idParams,
  listOrdersQuery,
  orderListResponse,
  orderTreeResponse,
} from '../schemas';
import { createOrder, getOrderTree, listOrders, orderAudit } from '../services/orders';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };

export const orderRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;

    app.post(
      '/orders',
      {
        schema: {
          summary: 'Create the primary order of an accepted quote and start its fulfilment',
          tags: ['orders'],
          body: createOrderBody,
          headers: idempotencyHeaders,
          response: { 202: orderTreeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const { orderId } = await createOrder(
          {
            db,
            temporal: deps.temporal,
            taskQueue: deps.taskQueue,
            catalogs: deps.catalogs,
            fulfilment: { ...defaultFulfilmentSettings, ...deps.fulfilment },
          },
          { ...request.body, idempotencyKey: request.headers['idempotency-key'] },
        );
        return reply.code(202).send(await getOrderTree(db, orderId));
      },
    );

    app.get(
      '/orders/:id',
      {
        schema: {
          summary: 'The order tree with states, due dates and progress',
          tags: ['orders'],
          params: idParams,
          response: { 200: orderTreeResponse, ...errors },
        },
      },
      async (request) => getOrderTree(db, request.params.id),
    );

    app.get(
      '/orders',
      {
        schema: {
          summary: 'Orders, newest first',
          tags: ['orders'],
          querystring: listOrdersQuery,
          response: { 200: orderListResponse, ...errors },
        },
      },
      async (request) => ({
        orders: await listOrders(db, request.query),
      }),
    );

    app.get(
      '/orders/:id/audit',
      {
        schema: {
          summary: 'Every state change of the order and everything under it, oldest first',
          tags: ['orders'],
          params: idParams,
          response: { 200: auditResponse, ...errors },
        },
      },
      async (request) => ({
        events: await orderAudit(db, request.params.id),
      }),
    );
  };
