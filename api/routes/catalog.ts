import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { catalogResponse } from '../schemas/catalog';
import { catalogOfferings } from '../services/catalog';
import { access } from '../auth/role-groups';

export const catalogRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/catalog/offerings',
      {
        config: { access: access.everyone() },
        schema: {
          summary: 'Product offerings with their specifications, prices, domains and task plans',
          tags: ['catalog'],
          response: { 200: catalogResponse },
        },
      },
      async () => catalogOfferings(deps),
    );
  };
