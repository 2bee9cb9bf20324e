import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app';
import { unprocessable } from '../errors';
import { errorResponse, faultResponse, injectFaultBody } from '../schemas';

export const simulatorRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/simulator/faults',
      {
        schema: {
          summary: 'Dev mode: fail the next `count` runs of an api task',
          tags: ['simulator'],
          body: injectFaultBody,
          response: { 201: faultResponse, 400: errorResponse, 422: errorResponse },
        },
      },
      async (request, reply) => {
        const { taskCode, count, mode } = request.body;
        const known = deps.catalogs.current.specifications.some((s) =>
          s.tasks.some((t) => t.code === taskCode && t.kind === 'api'),
        );
        if (!known)
          throw unprocessable('Unknown task code', [
            {
              field: 'taskCode',
              rule: 'api_task_in_catalog',
              message: `${taskCode} is not an api task of the catalog`,
            },
          ]);
        await deps.simulator.injectFault(taskCode, count, mode);
        return reply.code(201).send({ taskCode, count, mode });
      },
    );
  };
