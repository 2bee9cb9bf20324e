/**
 * The TMF event hubs (TMF630 REST guidelines, part 6): a listener registers a callback and a query, and
 * gets every matching event of that API, signed, in order, at least once. Registered inside each TMF
 * API's plugin (TMF622 and the read APIs), so its errors take the TMF shape. Registering needs `integration` or `admin`: a callback is a way out of the
 * network, which `HUB_CALLBACK_ALLOWLIST` bounds.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubApi } from '../../domain/tmf-events';
import { actorOf, allow } from '../auth';
import type { AppDeps } from '../deps';
import {
  hubSubscriptionBody,
  hubSubscriptionResponse,
  tmfErrorResponses as errors,
  tmfIdParams,
} from '../schemas/tmf';
import { getSubscription, subscribe, unsubscribe } from '../services/tmf/hub';

const subscriber = () => allow('integration', 'admin');

/** The hub of one API (`api`), under that API's base path; `name` is its tag's (`TMF622`, `TMF641`, …). */
export function registerHubRoutes(root: FastifyInstance, deps: AppDeps, api: HubApi, name: string): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = [`${name} event hub`];
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
    async (request, reply) =>
      reply.code(201).send(await subscribe(deps, request.body, actorOf(request), api)),
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
    async (request) => getSubscription(deps, request.params.id, api),
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
      await unsubscribe(deps, request.params.id, api);
      return reply.code(204).send(null);
    },
  );
}
