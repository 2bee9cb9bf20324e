/**
 * The TMF622 event hub (TMF630 REST guidelines, part 6): a listener registers a callback and a query, and
 * gets every matching event, signed, in order, at least once. Registered inside the TMF622 plugin, so its
 * errors take the TMF shape. Registering needs `integration` or `admin`: a callback is a way out of the
 * network, which `HUB_CALLBACK_ALLOWLIST` bounds.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, allow } from '../auth';
import type { AppDeps } from '../deps';
import {
  hubSubscriptionBody,
  hubSubscriptionResponse,
  tmfErrorResponses as errors,
  tmfIdParams,
} from '../schemas/tmf';
import { getSubscription, subscribe, unsubscribe } from '../services/tmf/hub';

const tags = ['TMF622 event hub'];
const subscriber = () => allow('integration', 'admin');

export function registerHubRoutes(root: FastifyInstance, deps: AppDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/hub',
    {
      config: { access: subscriber() },
      schema: {
        summary:
          'Subscribe a listener (callback, query): the answer carries the secret that signs deliveries',
        tags,
        body: hubSubscriptionBody,
        response: { 201: hubSubscriptionResponse, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await subscribe(deps, request.body, actorOf(request))),
  );

  app.get(
    '/hub/:id',
    {
      config: { access: subscriber() },
      schema: {
        summary:
          'A subscription: active, or failing (its listener has not taken an event for the retry window)',
        tags,
        params: tmfIdParams,
        response: { 200: hubSubscriptionResponse, ...errors },
      },
    },
    async (request) => getSubscription(deps, request.params.id),
  );

  app.delete(
    '/hub/:id',
    {
      config: { access: subscriber() },
      schema: {
        summary: 'Unsubscribe: deliveries stop',
        tags,
        params: tmfIdParams,
        response: { 204: z.null().describe('unsubscribed'), ...errors },
      },
    },
    async (request, reply) => {
      await unsubscribe(deps, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
