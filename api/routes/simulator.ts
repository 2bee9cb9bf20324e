import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app';
import { unprocessable } from '../errors';
import { approvalChecks } from '../../downstream/simulator';
import { and, eq } from 'drizzle-orm';
import { tasks } from '../../db/schema';
import { systemBackSignal, workflowId } from '../../workflows/contracts';
import {
  errorResponse,
  faultResponse,
  injectFaultBody,
  systemParams,
  systemStatusBody,
  systemStatusResponse,
} from '../schemas';

export const simulatorRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;
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

    app.put(
      '/simulator/systems/:system',
      {
        schema: {
          summary: 'Dev mode: mark a downstream system offline (its api tasks wait onHold) or back online',
          tags: ['simulator'],
          params: systemParams,
          body: systemStatusBody,
          response: { 200: systemStatusResponse, 400: errorResponse },
        },
      },
      async (request) => {
        const { system } = request.params;
        await deps.simulator.setOffline(system, request.body.offline);
        let resumed = 0;
        if (!request.body.offline) {
          // Wake the domain orders holding its tasks; they would also notice within a minute by themselves.
          const held = await db
            .selectDistinct({ domainOrderId: tasks.domainOrderId })
            .from(tasks)
            .where(and(eq(tasks.state, 'onHold'), eq(tasks.system, system)));
          await Promise.all(
            held.map(({ domainOrderId }) =>
              deps.temporal.workflow
                .getHandle(workflowId.domainOrder(domainOrderId))
                .signal(systemBackSignal, { system })
                .catch(() => undefined),
            ),
          );
          resumed = held.length;
        }
        return { system, offline: request.body.offline, domainOrdersWoken: resumed };
      },
    );
  };
