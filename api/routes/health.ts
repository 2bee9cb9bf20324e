import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { healthResponse } from '../schemas/health';
import { checkHealth } from '../services/health';
import { publicAccess } from '../auth';

export const healthRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      {
        config: { access: publicAccess },
        schema: {
          summary: 'Whether Temporal and the database answer',
          tags: ['health'],
          response: { 200: healthResponse, 503: healthResponse },
        },
      },
      async (_request, reply) => {
        const health = await checkHealth(deps);
        return reply.code(health.status === 'up' ? 200 : 503).send(health);
      },
    );
  };
