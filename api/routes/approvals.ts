import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { approvalsQuery, approvalsResponse } from '../schemas/approvals';
import { errorResponses } from '../schemas/common';
import { listApprovals } from '../services/approvals';
import { allow, principalOf } from '../auth';

/** The approvers' inbox: what waits for the caller's approval roles, without knowing any quote ID. */
export const approvalRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/approvals',
      {
        config: { access: allow('salesManager', 'financeManager') },
        schema: {
          summary: "Quote approvals that wait for the caller's roles, oldest deadline first",
          tags: ['quotes'],
          querystring: approvalsQuery,
          response: { 200: approvalsResponse, ...errorResponses },
        },
      },
      async (request) => listApprovals(deps, request.query, principalOf(request)),
    );
  };
