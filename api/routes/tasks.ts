import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponse, idParams } from '../schemas/common';
import {
  completeTaskBody,
  failTaskBody,
  listTasksQuery,
  taskListResponse,
  taskSignalResponse,
} from '../schemas/tasks';
import { completeTask, failTask, listTasks } from '../services/tasks';
import { actingSubject, principalOf } from '../auth';
import { access } from '../auth/role-groups';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse };

export const taskRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/tasks',
      {
        config: { access: access.readTasks() },
        schema: {
          summary: 'The work queue',
          tags: ['tasks'],
          querystring: listTasksQuery,
          response: { 200: taskListResponse, ...errors },
        },
      },
      async (request) => listTasks(deps, request.query, principalOf(request)),
    );

    app.post(
      '/tasks/:id/complete',
      {
        config: { access: access.workTasks() },
        schema: {
          summary: 'Complete a manual, field or project task (signal `complete`)',
          tags: ['tasks'],
          params: idParams,
          body: completeTaskBody,
          response: { 202: taskSignalResponse, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(202)
          .send(
            await completeTask(
              deps,
              request.params.id,
              { ...request.body, by: actingSubject(request, request.body.by) },
              principalOf(request),
            ),
          ),
    );

    app.post(
      '/tasks/:id/fail',
      {
        config: { access: access.workTasks() },
        schema: {
          summary: 'Report a manual, field or project task failed (signal `fail`)',
          tags: ['tasks'],
          params: idParams,
          body: failTaskBody,
          response: { 202: taskSignalResponse, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(202)
          .send(
            await failTask(
              deps,
              request.params.id,
              { ...request.body, by: actingSubject(request, request.body.by) },
              principalOf(request),
            ),
          ),
    );
  };
