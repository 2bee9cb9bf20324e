import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app';
import { unprocessable } from '../errors';
import { approvalChecks } from '../../activities/simulator';
import { errorResponse, faultResponse, injectFaultBody } from '../schemas';

export const simulatorRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/simulator/faults',
      {
        schema: {
          summary: 'Dev mode: fail the next `count` runs of an api task or approval check (of one customer)',
          tags: ['simulator'],
          body: injectFaultBody,
          response: { 201: faultResponse, 400: errorResponse, 422: errorResponse },
        },
      },
      async (request, reply) => {
        const { taskCode, count, mode, accountId } = request.body;
        const known =
          approvalChecks.includes(taskCode) ||
          deps.catalogs.current.specifications.some((s) =>
            s.tasks.some((t) => t.code === taskCode && t.kind === 'api'),
          );
        if (!known)
          throw unprocessable('Unknown task code', [
            {
              field: 'taskCode',
              rule: 'api_task_in_catalog',
              message: `${taskCode} is neither an api task of the catalog nor one of ${approvalChecks.join(', ')}`,
            },
          ]);
        await deps.simulator.injectFault(taskCode, count, mode, accountId);
        return reply.code(201).send({ taskCode, count, mode, accountId: accountId ?? null });
      },
    );
  };
