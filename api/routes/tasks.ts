import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { tasks } from '../../db/schema';
import { completeSignal, failSignal, workflowId } from '../../workflows/contracts';

/** A project task runs as its own `project:<taskId>` workflow; manual and field tasks as `task:<taskId>`. */
const workflowIdOf = (task: { id: string; kind: string }) =>
  task.kind === 'project' ? workflowId.project(task.id) : workflowId.task(task.id);
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import {
  completeTaskBody,
  errorResponse,
  failTaskBody,
  idParams,
  listTasksQuery,
  taskListResponse,
  taskSignalResponse,
} from '../schemas';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse };
/** Tasks a person completes or fails; `api` tasks are the engine's own. */
const humanKinds = new Set(['manual', 'field', 'project']);

export const taskRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;

    async function awaitingPerson(taskId: string) {
      const task = await db.query.tasks.findFirst({ where: eq(tasks.id, taskId) });
      if (!task) throw notFound('Task', taskId);
      if (!humanKinds.has(task.kind))
        throw invalidState(
          `Task ${taskId} is an ${task.kind} task, run by the engine; it cannot be completed or failed by hand`,
        );
      if (task.state !== 'running')
        throw invalidState(`Task ${taskId} is ${task.state}; only a running task can be completed or failed`);
      return task;
    }

    app.get(
      '/tasks',
      {
        schema: {
          summary: 'The work queue',
          tags: ['tasks'],
          querystring: listTasksQuery,
          response: { 200: taskListResponse, ...errors },
        },
      },
      async (request) => {
        const where: SQL[] = [];
        if (request.query.orderId) where.push(eq(tasks.orderId, request.query.orderId));
        if (request.query.state) where.push(eq(tasks.state, request.query.state));
        if (request.query.kind) where.push(eq(tasks.kind, request.query.kind));
        return {
          tasks: await db
            .select()
            .from(tasks)
            .where(and(...where))
            .orderBy(asc(tasks.id))
            .limit(request.query.limit),
        };
      },
    );

    app.post(
      '/tasks/:id/complete',
      {
        schema: {
          summary: 'Complete a manual, field or project task (signal `complete`)',
          tags: ['tasks'],
          params: idParams,
          body: completeTaskBody,
          response: { 202: taskSignalResponse, ...errors },
        },
      },
      async (request, reply) => {
        const task = await awaitingPerson(request.params.id);
        await deps.temporal.workflow.getHandle(workflowIdOf(task)).signal(completeSignal, request.body);
        return reply.code(202).send({ taskId: task.id, state: task.state, signal: 'complete' });
      },
    );

    app.post(
      '/tasks/:id/fail',
      {
        schema: {
          summary: 'Report a manual, field or project task failed (signal `fail`)',
          tags: ['tasks'],
          params: idParams,
          body: failTaskBody,
          response: { 202: taskSignalResponse, ...errors },
        },
      },
      async (request, reply) => {
        const task = await awaitingPerson(request.params.id);
        await deps.temporal.workflow.getHandle(workflowIdOf(task)).signal(failSignal, request.body);
        return reply.code(202).send({ taskId: task.id, state: task.state, signal: 'fail' });
      },
    );
  };
