import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponses as errors, idParams } from '../schemas/common';
import {
  amendmentBody,
  amendmentListResponse,
  amendmentResponse,
  auditQuery,
  auditResponse,
  createOrderBody,
  idempotencyHeaders,
  listOrdersQuery,
  orderActionBody,
  orderListResponse,
  orderTreeQuery,
  orderTreeResponse,
} from '../schemas/orders';
import { amendOrder, listAmendments } from '../services/amendments';
import { createOrder } from '../services/order-creation';
import { controlOrder, getOrderToDepth, listOrders, orderAudit, type OrderControl } from '../services/orders';
import { actorOf, allow } from '../auth';
import { access } from '../auth/role-groups';

const controls: [OrderControl, string][] = [
  ['hold', 'Hold the order: no new task starts, running ones finish, jeopardy clocks pause'],
  ['resume', 'Resume a held order where it stopped'],
  ['cancel', 'Cancel the order: assessed against points of no return, then the work done is compensated'],
];

export const orderRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/orders',
      {
        config: { access: allow('orderManager') },
        schema: {
          summary: 'Create the primary order of an accepted quote and start its fulfilment',
          tags: ['orders'],
          body: createOrderBody,
          headers: idempotencyHeaders,
          response: { 202: orderTreeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const idempotencyKey = request.headers['idempotency-key'];
        return reply
          .code(202)
          .send(await createOrder(deps, { ...request.body, idempotencyKey }, actorOf(request)));
      },
    );

    for (const [control, summary] of controls) {
      app.post(
        `/orders/:id/${control}`,
        {
          config: { access: allow('orderManager') },
          schema: {
            summary,
            tags: ['orders'],
            params: idParams,
            body: orderActionBody,
            response: { 202: orderTreeResponse, ...errors },
          },
        },
        async (request, reply) =>
          reply
            .code(202)
            .send(
              await controlOrder(deps, request.params.id, control, request.body?.reason, actorOf(request)),
            ),
      );
    }

    app.post(
      '/orders/:id/amendments',
      {
        config: { access: allow('orderManager') },
        schema: {
          summary:
            'Amend a running order: modify item characteristics at once; add sites or remove items through a change quote',
          tags: ['orders'],
          params: idParams,
          body: amendmentBody,
          response: { 202: amendmentResponse, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await amendOrder(deps, request.params.id, request.body, actorOf(request))),
    );

    app.get(
      '/orders/:id/amendments',
      {
        config: { access: access.readOrders() },
        schema: {
          summary: 'The amendments of an order, each with the items as they were before it',
          tags: ['orders'],
          params: idParams,
          response: { 200: amendmentListResponse, ...errors },
        },
      },
      async (request) => listAmendments(deps, request.params.id),
    );

    app.get(
      '/orders/:id',
      {
        config: { access: access.readOrders() },
        schema: {
          summary:
            'The order tree with states, due dates and progress (depth: order, subOrders, domainOrders, tasks)',
          tags: ['orders'],
          params: idParams,
          querystring: orderTreeQuery,
          response: { 200: orderTreeResponse, ...errors },
        },
      },
      async (request) => getOrderToDepth(deps, request.params.id, request.query.depth),
    );

    app.get(
      '/orders',
      {
        config: { access: access.readOrders() },
        schema: {
          summary: 'Orders, newest first',
          tags: ['orders'],
          querystring: listOrdersQuery,
          response: { 200: orderListResponse, ...errors },
        },
      },
      async (request) => listOrders(deps, request.query),
    );

    app.get(
      '/orders/:id/audit',
      {
        config: { access: allow('viewer', 'admin', 'orderManager') },
        schema: {
          summary:
            'Every state change of the order and everything under it, oldest first, in pages (after, limit)',
          tags: ['orders'],
          params: idParams,
          querystring: auditQuery,
          response: { 200: auditResponse, ...errors },
        },
      },
      async (request) => orderAudit(deps, request.params.id, request.query),
    );
  };
