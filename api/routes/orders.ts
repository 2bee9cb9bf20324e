import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { orders } from '../../db/schema';
import {
  amendUpdate,
  cancelUpdate,
  defaultFulfilmentSettings,
  holdUpdate,
  resumeUpdate,
  workflowId,
} from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import {
  auditResponse,
  createOrderBody,
  errorResponse,
  idempotencyHeaders,
  idParams,
  listOrdersQuery,
  orderListResponse,
  orderTreeResponse,
  orderActionBody,
  amendmentBody,
  amendmentResponse,
} from '../schemas';
import { discardAmendment, listAmendments, recordAmendment } from '../services/amendments';
import { z } from 'zod';
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

    const actions = [
      ['hold', holdUpdate, 'Hold the order: no new task starts, running ones finish, jeopardy clocks pause'],
      ['resume', resumeUpdate, 'Resume a held order where it stopped'],
      [
        'cancel',
        cancelUpdate,
        'Cancel the order: assessed against points of no return, then the work done is compensated',
      ],
    ] as const;
    for (const [action, update, summary] of actions) {
      app.post(
        `/orders/:id/${action}`,
        {
          schema: {
            summary,
            tags: ['orders'],
            params: idParams,
            body: orderActionBody,
            response: { 202: orderTreeResponse, ...errors },
          },
        },
        async (request, reply) => {
          const order = await db.query.orders.findFirst({ where: eq(orders.id, request.params.id) });
          if (!order) throw notFound('Order', request.params.id);
          const { state } = await deps.temporal.workflow
            .getHandle(workflowId.order(order.id))
            .executeUpdate(update, { args: [{ reason: request.body?.reason }] })
            .catch((err: unknown) => {
              // A closed order workflow takes no update: the order is final.
              if (err instanceof WorkflowNotFoundError)
                throw invalidState(`Order ${order.id} is ${order.state}`);
              throw err;
            });
          return reply.code(202).send({ ...(await getOrderTree(db, order.id)), state });
        },
      );
    }

    app.post(
      '/orders/:id/amendments',
      {
        schema: {
          summary: 'Amend a running order: add sites, modify item characteristics, remove items',
          tags: ['orders'],
          params: idParams,
          body: amendmentBody,
          response: { 202: amendmentResponse, ...errors },
        },
      },
      async (request, reply) => {
        const amendmentId = await recordAmendment(db, deps.catalogs.current, request.params.id, request.body);
        try {
          const effects = await deps.temporal.workflow
            .getHandle(workflowId.order(request.params.id))
            .executeUpdate(amendUpdate, { args: [{ amendmentId }] });
          const [amendment] = (await listAmendments(db, request.params.id)).filter(
            (a) => a.id === amendmentId,
          );
          return reply.code(202).send({ ...amendment, effects });
        } catch (err) {
          await discardAmendment(db, amendmentId);
          throw err;
        }
      },
    );

    app.get(
      '/orders/:id/amendments',
      {
        schema: {
          summary: 'The amendments of an order, each with the items as they were before it',
          tags: ['orders'],
          params: idParams,
          response: { 200: z.object({ amendments: z.array(amendmentResponse) }), ...errors },
        },
      },
      async (request) => ({ amendments: await listAmendments(db, request.params.id) }),
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
