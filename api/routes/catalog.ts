import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { catalogResponse } from '../schemas';

export const catalogRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/catalog/offerings',
      {
        schema: {
          summary: 'Product offerings with their specifications, prices, domains and task plans',
          tags: ['catalog'],
          response: { 200: catalogResponse },
        },
      },
      async () => {
        const catalog = deps.catalogs.current;
        const specs = new Map(catalog.specifications.map((s) => [s.code, s]));
        return {
          version: catalog.version,
          currency: catalog.currency,
          standardSlas: catalog.standardSlas,
          offerings: catalog.offerings.map((o) => ({
            ...o,
            specifications: o.specifications.map((code) => {
              const spec = specs.get(code)!;
              return { ...spec, domain: { code: spec.domain, ...catalog.domains[spec.domain] } };
            }),
          })),
        };
      },
    );
  };
