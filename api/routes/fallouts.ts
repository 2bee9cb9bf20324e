import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponse, idParams } from '../schemas/common';
import {
  falloutListResponse,
  falloutResponse,
  listFalloutsQuery,
  resolveFalloutBody,
  workFalloutBody,
} from '../schemas/fallouts';
import { getFallout, listFallouts, resolveFallout, workOnFallout } from '../services/fallouts';
import { actingSubject, allow, principalOf } from '../auth';
import { access } from '../auth/role-groups';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse };

/** The fall-out queue (stage 8): cases to work, and their resolution as a Temporal update. */
export const falloutRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/fallouts',
      {
        config: { access: access.readFallouts() },
        schema: {
          summary: 'Fall-out cases, filtered by state, order, type and assignment group',
          tags: ['fallouts'],
          querystring: listFalloutsQuery,
          response: { 200: falloutListResponse, ...errors },
        },
      },
      async (request) => listFallouts(deps, request.query),
    );

    app.get(
      '/fallouts/:id',
      {
        config: { access: access.readFallouts() },
        schema: {
          summary: 'A fall-out case',
          tags: ['fallouts'],
          params: idParams,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) => getFallout(deps, request.params.id),
    );

    app.post(
      '/fallouts/:id/work',
      {
        config: { access: allow('falloutAgent') },
        schema: {
          summary: 'Take a case, put it on hold (its escalation stops) or release it (update `work`)',
          tags: ['fallouts'],
          params: idParams,
          body: workFalloutBody,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) =>
        workOnFallout(deps, request.params.id, {
          ...request.body,
          by: actingSubject(request, request.body.by),
        }),
    );

    app.post(
      '/fallouts/:id/resolve',
      {
        config: { access: allow('falloutAgent') },
        schema: {
          summary: 'Resolve a case: retry, skip, complete (with data) or abort (update `resolve`)',
          tags: ['fallouts'],
          params: idParams,
          body: resolveFalloutBody,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) =>
        resolveFallout(
          deps,
          request.params.id,
          { ...request.body, by: actingSubject(request, request.body.by) },
          principalOf(request),
        ),
    );
  };
