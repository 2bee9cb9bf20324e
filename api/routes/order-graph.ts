import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { access } from '../auth/role-groups';
import { errorResponses as errors, idParams } from '../schemas/common';
import { orderGraphQuery, orderGraphResponse } from '../schemas/order-graph';
import { orderGraph } from '../services/order-graph';

export const orderGraphRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/orders/:id/graph',
      {
        config: { access: access.readOrders() },
        schema: {
          summary:
            'The order as a picture: sub-orders, domain orders and tasks by state, with dependencies, jeopardy and open fall-outs',
          description:
            'Mermaid text by default; SVG with `Accept: image/svg+xml`. Above 50 sub-orders it shows one card per sub-order with counts (`view` forces either).',
          tags: ['orders'],
          params: idParams,
          querystring: orderGraphQuery,
          // Mermaid or SVG on 200; errors stay JSON.
          produces: ['text/plain', 'image/svg+xml', 'application/json'],
          response: { 200: orderGraphResponse, ...errors },
        },
      },
      async (request, reply) => {
        const format = /image\/svg\+xml/.test(request.headers.accept ?? '') ? 'svg' : 'mermaid';
        const { contentType, body } = await orderGraph(deps, request.params.id, format, request.query.view);
        return reply.type(contentType).send(body);
      },
    );
  };
