import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { falloutCases } from '../../db/schema';
import { resolveUpdate, workflowId, workUpdate } from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import {
  errorResponse,
  falloutListResponse,
  falloutResponse,
  idParams,
  listFalloutsQuery,
  resolveFalloutBody,
  workFalloutBody,
} from '../schemas';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse };

/** The fall-out queue (stage 8): cases to work, and their resolution as a Temporal update. */
export const falloutRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;
    const caseOf = async (id: string) => {
      const found = await db.query.falloutCases.findFirst({ where: eq(falloutCases.id, id) });
      if (!found) throw notFound('Fall-out case', id);
      return found;
    };

    app.get(
      '/fallouts',
      {
        schema: {
          summary: 'Fall-out cases, filtered by state, order, type and assignment group',
          tags: ['fallouts'],
          querystring: listFalloutsQuery,
          response: { 200: falloutListResponse, ...errors },
        },
      },
      async (request) => {
        const { state, orderId, type, group } = request.query;
        const where: SQL[] = [];
        if (state) where.push(eq(falloutCases.state, state));
        if (orderId) where.push(eq(falloutCases.orderId, orderId));
        if (type) where.push(eq(falloutCases.type, type));
        if (group) where.push(eq(falloutCases.assignmentGroup, group));
        const fallouts = await db
          .select()
          .from(falloutCases)
          .where(and(...where))
          .orderBy(asc(falloutCases.openedAt))
          .limit(1000);
        return { fallouts };
      },
    );

    app.get(
      '/fallouts/:id',
      {
        schema: {
          summary: 'A fall-out case',
          tags: ['fallouts'],
          params: idParams,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) => caseOf(request.params.id),
    );

    app.post(
      '/fallouts/:id/work',
      {
        schema: {
          summary: 'Take a case, put it on hold (its escalation stops) or release it (update `work`)',
          tags: ['fallouts'],
          params: idParams,
          body: workFalloutBody,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) => {
        const found = await caseOf(request.params.id);
        if (found.state === 'resolved' || found.state === 'cancelled')
          throw invalidState(`Fall-out ${found.id} is already ${found.state}`);
        await deps.temporal.workflow
          .getHandle(workflowId.fallout(found.id))
          .executeUpdate(workUpdate, { args: [request.body] });
        return caseOf(found.id);
      },
    );

    app.post(
      '/fallouts/:id/resolve',
      {
        schema: {
          summary: 'Resolve a case: retry, skip, complete (with data) or abort (update `resolve`)',
          tags: ['fallouts'],
          params: idParams,
          body: resolveFalloutBody,
          response: { 200: falloutResponse, ...errors },
        },
      },
      async (request) => {
        const found = await caseOf(request.params.id);
        if (found.state === 'resolved' || found.state === 'cancelled')
          throw invalidState(`Fall-out ${found.id} is already ${found.state} (${found.resolution?.action})`);
        await deps.temporal.workflow
          .getHandle(workflowId.fallout(found.id))
          .executeUpdate(resolveUpdate, { args: [request.body] });
        return caseOf(found.id);
      },
    );
  };
