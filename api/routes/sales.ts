import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponses as errors, idParams } from '../schemas/common';
import {
  agreementResponse,
  agreementsResponse,
  convertLeadBody,
  createAgreementBody,
  createLeadBody,
  leadResponse,
  opportunityResponse,
} from '../schemas/sales';
import {
  convertLead,
  createAgreement,
  createLead,
  getAgreement,
  getLead,
  getOpportunity,
  listAgreements,
} from '../services/sales';
import { actorOf, allow } from '../auth';
import { access } from '../auth/role-groups';

/** Stage 1 and the sales agreement of stage 2: leads, opportunities and the frame for quotes. */
export const salesRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/leads',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Record a lead; it needs no account yet',
          tags: ['sales'],
          body: createLeadBody,
          response: { 201: leadResponse, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await createLead(deps, request.body)),
    );

    app.get(
      '/leads/:id',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'A lead',
          tags: ['sales'],
          params: idParams,
          response: { 200: leadResponse, ...errors },
        },
      },
      async (request) => getLead(deps, request.params.id),
    );

    app.post(
      '/leads/:id/convert',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Convert a qualified lead into an opportunity of a customer account',
          tags: ['sales'],
          params: idParams,
          body: convertLeadBody,
          response: { 201: opportunityResponse, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await convertLead(deps, request.params.id, request.body, actorOf(request))),
    );

    app.get(
      '/opportunities/:id',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'An opportunity',
          tags: ['sales'],
          params: idParams,
          response: { 200: opportunityResponse, ...errors },
        },
      },
      async (request) => getOpportunity(deps, request.params.id),
    );

    app.post(
      '/agreements',
      {
        config: { access: allow('sales', 'salesManager') },
        schema: {
          summary:
            "A sales agreement: its term, the account's discount cap and default discount, its price list and SLAs, inherited by its quotes",
          tags: ['sales'],
          body: createAgreementBody,
          response: { 201: agreementResponse, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await createAgreement(deps, request.body)),
    );

    app.get(
      '/agreements/:id',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'A sales agreement',
          tags: ['sales'],
          params: idParams,
          response: { 200: agreementResponse, ...errors },
        },
      },
      async (request) => getAgreement(deps, request.params.id),
    );

    app.get(
      '/accounts/:id/agreements',
      {
        config: { access: access.readSales() },
        schema: {
          summary: "An account's sales agreements, each with its term and whether it is effective today",
          tags: ['sales'],
          params: idParams,
          response: { 200: agreementsResponse, ...errors },
        },
      },
      async (request) => listAgreements(deps, request.params.id),
    );
  };
