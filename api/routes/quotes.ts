import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponses, idParams } from '../schemas/common';
import { acceptBody, createQuoteBody, decisionBody, patchQuoteBody, quoteResponse } from '../schemas/quotes';
import { acceptQuote, decideOnQuote, submitQuote } from '../services/quote-approval';
import { createQuote, getQuote, reviseQuote } from '../services/quotes';
import { actorOf, allow, principalOf } from '../auth';
import { access } from '../auth/role-groups';

const answers = { 200: quoteResponse, 201: quoteResponse, 202: quoteResponse, ...errorResponses };

export const quoteRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/quotes',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Create a quote, version 1, priced from the catalog',
          tags: ['quotes'],
          body: createQuoteBody,
          response: answers,
        },
      },
      async (request, reply) => reply.code(201).send(await createQuote(deps, request.body, actorOf(request))),
    );

    app.patch(
      '/quotes/:id',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Change a quote: the next version, priced anew; a running approval of the last one stops',
          tags: ['quotes'],
          params: idParams,
          body: patchQuoteBody,
          response: answers,
        },
      },
      async (request) => reviseQuote(deps, request.params.id, request.body, actorOf(request), request.log),
    );

    app.get(
      '/quotes/:id',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'A quote with its versions, prices, approvals and state',
          tags: ['quotes'],
          params: idParams,
          response: answers,
        },
      },
      async (request) => getQuote(deps, request.params.id),
    );

    app.post(
      '/quotes/:id/submit',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Submit the current version for approval',
          tags: ['quotes'],
          params: idParams,
          response: answers,
        },
      },
      async (request, reply) => reply.code(202).send(await submitQuote(deps, request.params.id)),
    );

    app.post(
      '/quotes/:id/decisions',
      {
        config: { access: allow('salesManager', 'financeManager') },
        schema: {
          summary: 'An approver decides on the pending version',
          tags: ['quotes'],
          params: idParams,
          body: decisionBody,
          response: answers,
        },
      },
      async (request) => decideOnQuote(deps, request.params.id, request.body, principalOf(request)),
    );

    app.post(
      '/quotes/:id/accept',
      {
        config: { access: allow('sales') },
        schema: {
          summary: "The customer's signature on an approved quote",
          tags: ['quotes'],
          params: idParams,
          body: acceptBody,
          response: answers,
        },
      },
      async (request) => acceptQuote(deps, request.params.id, request.body, actorOf(request)),
    );
  };
