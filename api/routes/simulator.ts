import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponse } from '../schemas/common';
import {
  faultResponse,
  injectFaultBody,
  systemParams,
  systemStatusBody,
  systemStatusResponse,
} from '../schemas/simulator';
import { injectFault, setSystemStatus } from '../services/simulator';
import { allow } from '../auth';

export const simulatorRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/simulator/faults',
      {
        config: { access: allow('admin') },
        schema: {
          summary: 'Dev mode: fail the next `count` runs of an api task or approval check (of one customer)',
          tags: ['simulator'],
          body: injectFaultBody,
          response: { 201: faultResponse, 400: errorResponse, 422: errorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await injectFault(deps, request.body)),
    );

    app.put(
      '/simulator/systems/:system',
      {
        config: { access: allow('admin') },
        schema: {
          summary: 'Dev mode: mark a downstream system offline (its api tasks wait onHold) or back online',
          tags: ['simulator'],
          params: systemParams,
          body: systemStatusBody,
          response: { 200: systemStatusResponse, 400: errorResponse },
        },
      },
      async (request) => setSystemStatus(deps, request.params.system, request.body.offline),
    );
  };
