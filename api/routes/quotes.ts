import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  acceptUpdate,
  decideUpdate,
  submissionUpdate,
  supersedeSignal,
  workflowId,
} from '../../workflows/contracts';
import type { quoteApproval } from '../../workflows/quote-approval';
import { ApprovalLevel, CustomerId, QuoteId, State } from '../../workflows/search-attributes';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
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

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };
const answers = { 200: quoteResponse, 201: quoteResponse, 202: quoteResponse, ...errors };

export const quoteRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = deps.database;

    app.post(
      '/quotes',
      {
        schema: {
          summary: 'Create a quote, version 1, priced from the catalog',
          tags: ['quotes'],
          body: createQuoteBody,
          response: answers,
        },
      },
      async (request, reply) => {
        const quoteId = await createQuote(db, deps.catalogs.current, request.body, deps.quoteValiditySeconds);
        return reply.code(201).send(await getQuote(db, quoteId));
      },
    );

    app.patch(
      '/quotes/:id',
      {
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
        schema: {
          summary: 'An approver decides on the pending version',
          tags: ['quotes'],
          params: idParams,
          body: decisionBody,
          response: answers,
        },
      },
      async (request) => {
        const { quote } = await currentVersionOf(db, request.params.id);
        const { version = quote.currentVersion, ...decision } = request.body;
        if (version > quote.currentVersion) throw notFound('Quote version', `${quote.id} v${version}`);
        // A decision on an older version goes to that version's approval, whose validator refuses it.
        if (version === quote.currentVersion && quote.state !== 'pending')
          throw invalidState(`Quote ${quote.id} is ${quote.state}, not awaiting a decision`);
        const handle = deps.temporal.workflow.getHandle(workflowId.quoteApproval(quote.id, version));
        const approval = await handle
          .executeUpdate(decideUpdate, { args: [decision] })
          .catch((err: unknown) => {
            // The old version's approval has ended (or never ran): the version is superseded all the same.
            if (version < quote.currentVersion && !(err instanceof WorkflowUpdateFailedError)) {
              throw invalidState(`Quote ${quote.id} v${version} is superseded by v${quote.currentVersion}`);
            }
            throw err;
          });
        return { ...(await getQuote(db, quote.id)), approval };
      },
    );

    app.post(
      '/quotes/:id/accept',
      {
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
        await handle.executeUpdate(acceptUpdate, { args: [request.body] });
        return getQuote(db, quote.id);
      },
    );
  };
