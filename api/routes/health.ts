import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps';

const component = z.object({ status: z.enum(['up', 'down']), detail: z.string() });

async function check(probe: () => Promise<unknown>, detail: string, timeoutMs = 2000) {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { status: 'up' as const, detail };
  } catch (err) {
    return { status: 'down' as const, detail: `${detail}: ${(err as Error).message}` };
  }
}

export const healthRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      {
        schema: {
          summary: 'Whether Temporal and the database answer',
          tags: ['health'],
          response: {
            200: z.object({ status: z.enum(['up', 'down']), temporal: component, database: component }),
            503: z.object({ status: z.enum(['up', 'down']), temporal: component, database: component }),
          },
        },
      },
      async (_request, reply) => {
        const [temporal, database] = await Promise.all([
          check(
            () => deps.temporal.connection.workflowService.getSystemInfo({}),
            `namespace ${deps.temporal.options.namespace}`,
          ),
          check(() => deps.database.ping(), deps.database.location),
        ]);
        const status = temporal.status === 'up' && database.status === 'up' ? 'up' : 'down';
        return reply.code(status === 'up' ? 200 : 503).send({ status, temporal, database });
      },
    );
  };
