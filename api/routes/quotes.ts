import { WithStartWorkflowOperation } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acceptUpdate, submissionUpdate, supersedeSignal, workflowId } from '../../workflows/contracts';
import type { quoteApproval } from '../../workflows/quote-approval';
import { ApprovalLevel, CustomerId, QuoteId, State } from '../../workflows/search-attributes';
import type { AppDeps } from '../app';
import { invalidState } from '../errors';
import {
  acceptBody,
  createQuoteBody,
  decisionBody,
  errorResponse,
  idParams,
  patchQuoteBody,
  quoteResponse,
} from '../schemas';
import { createQuote, currentVersionOf, getQuote, reviseQuote } from '../services/quotes';
import { actorOf, allow, principalOf } from '../auth';
import { decideOnQuote } from '../services/quote-decisions';
import { access } from '../auth/role-groups';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };
const answers = { 200: quoteResponse, 201: quoteResponse, 202: quoteResponse, ...errors };

export const quoteRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;

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
      async (request, reply) => {
        const quoteId = await createQuote(
          db,
          deps.catalogs.current,
          request.body,
          actorOf(request),
          deps.quoteValiditySeconds,
        );
        return reply.code(201).send(await getQuote(db, quoteId));
      },
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
      async (request) => {
        const { version, previous } = await reviseQuote(
          db,
          deps.catalogs.current,
          request.params.id,
          request.body,
          actorOf(request),
        );
        if (previous.state === 'pending' || previous.state === 'approved') {
          // The previous version's approval ends as superseded; its decisions are refused from now on.
          await deps.temporal.workflow
            .getHandle(workflowId.quoteApproval(request.params.id, previous.version))
            .signal(supersedeSignal, { byVersion: version })
            .catch((err: unknown) => request.log.warn({ err }, 'the superseded approval had already ended'));
        }
        return getQuote(db, request.params.id);
      },
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
      async (request) => getQuote(db, request.params.id),
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
      async (request, reply) => {
        const { quote, version } = await currentVersionOf(db, request.params.id);
        if (quote.state !== 'inProgress') {
          throw invalidState(
            `Quote ${quote.id} is ${quote.state}; only a quote in negotiation (inProgress) can be submitted`,
          );
        }
        const approval = await deps.temporal.workflow.executeUpdateWithStart(submissionUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation<typeof quoteApproval>('quoteApproval', {
            workflowId: workflowId.quoteApproval(quote.id, quote.currentVersion),
            taskQueue: deps.taskQueue,
            workflowIdConflictPolicy: 'FAIL',
            args: [
              {
                quoteId: quote.id,
                version: quote.currentVersion,
                customerId: quote.accountId,
                maxDiscountPct: version.maxDiscountPct,
                agreementMaxDiscountPct: version.agreementMaxDiscountPct ?? undefined,
                validUntil: quote.validUntil ?? new Date(Date.now() + 30 * 86_400_000).toISOString(),
                decisionDeadlineSeconds: deps.approvalDeadlineSeconds ?? 48 * 3600,
                ...(version.createdBy ? { author: version.createdBy } : {}),
              },
            ],
            staticSummary: `Approval of quote ${quote.id} v${quote.currentVersion} (max discount ${version.maxDiscountPct}%)`,
            typedSearchAttributes: new TypedSearchAttributes([
              { key: QuoteId, value: quote.id },
              { key: CustomerId, value: quote.accountId },
              { key: State, value: 'pending' },
              { key: ApprovalLevel, value: 'none' },
            ]),
          }),
        });
        return reply.code(202).send({ ...(await getQuote(db, quote.id)), approval });
      },
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
      async (request) => {
        const approval = await decideOnQuote(
          db,
          deps.temporal,
          request.params.id,
          request.body,
          principalOf(request),
        );
        return { ...(await getQuote(db, request.params.id)), approval };
      },
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
      async (request) => {
        const { quote } = await currentVersionOf(db, request.params.id);
        if (quote.state !== 'approved')
          throw invalidState(`Quote ${quote.id} is ${quote.state}; only an approved quote can be accepted`);
        const handle = deps.temporal.workflow.getHandle(
          workflowId.quoteApproval(quote.id, quote.currentVersion),
        );
        await handle.executeUpdate(acceptUpdate, {
          args: [{ ...request.body, recordedBy: actorOf(request) }],
        });
        return getQuote(db, quote.id);
      },
    );
  };
