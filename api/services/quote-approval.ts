/** Stage 3, approval: each submitted version runs its own `quoteApproval` workflow, driven by updates. */
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { quoteVersions } from '../../db/schema';
import { approvalRoles } from '../../domain/approval-policy';
import type { Actor, Principal } from '../../domain/roles';
import { acceptUpdate, decideUpdate, submissionUpdate, workflowId } from '../../workflows/contracts';
import type { quoteApproval } from '../../workflows/quote-approval';
import { ApprovalLevel, CustomerId, QuoteId, State } from '../../workflows/search-attributes';
import type { AppDeps } from '../deps';
import { forbidden } from '../auth/access';
import { invalidState, notFound, unprocessable } from '../errors';
import type { AcceptBody, DecisionBody } from '../schemas/quotes';
import { applySignedChange, checkChangeStillApplies } from './change-quotes';
import { proposalDocument } from './proposal';
import { checkFeasibility, refuseInfeasible } from './quote-feasibility';
import { currentVersionOf, getQuote } from './quotes';

/**
 * Submits the current version: starts its approval workflow and waits for its first answer, `pending` with
 * the approvals required or `approved` when none are, in one call (update-with-start).
 */
export async function submitQuote(deps: AppDeps, quoteId: string) {
  const { quote, version } = await currentVersionOf(deps, quoteId);
  if (quote.state !== 'inProgress') {
    throw invalidState(
      `Quote ${quote.id} is ${quote.state}; only a quote in negotiation (inProgress) can be submitted`,
    );
  }
  // No one approves or signs for a site that cannot be served.
  refuseInfeasible(quote.id, quote.currentVersion, await checkFeasibility(deps, quote, quote.currentVersion));
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
  return { ...(await getQuote(deps, quote.id)), approval };
}

/**
 * An approver's decision on a quote version. Who decides is the token's subject, under an approval role the
 * token holds: the awaited one, which the workflow fills in when the body names none. The version's author
 * may not approve it (four-eyes). The approval workflow checks role and four-eyes again in its validator,
 * against the roles the caller holds: 403 when none is the awaited one, 409 when the body names another.
 */
export async function decideOnQuote(
  deps: AppDeps,
  quoteId: string,
  request: DecisionBody,
  principal: Principal,
) {
  const { db } = deps.database;
  const { quote } = await currentVersionOf(deps, quoteId);
  const { version = quote.currentVersion, ...decision } = request;
  if (version > quote.currentVersion) throw notFound('Quote version', `${quote.id} v${version}`);
  // A decision on an older version goes to that version's approval, whose validator refuses it.
  if (version === quote.currentVersion && quote.state !== 'pending')
    throw invalidState(`Quote ${quote.id} is ${quote.state}, not awaiting a decision`);

  const heldRoles = approvalRoles.filter((r) => principal.roles.includes(r));
  if (decision.role && !heldRoles.includes(decision.role))
    throw forbidden(
      `The body names the role ${decision.role}, which ${principal.subject}'s token does not hold`,
    );
  const [made] = await db
    .select({ createdBy: quoteVersions.createdBy })
    .from(quoteVersions)
    .where(and(eq(quoteVersions.quoteId, quote.id), eq(quoteVersions.version, version)));
  if (made?.createdBy === principal.subject && decision.decision === 'approve')
    throw forbidden(
      `${principal.subject} made quote ${quote.id} v${version} and cannot also approve it (four-eyes rule)`,
      'four_eyes',
    );
  const handle = deps.temporal.workflow.getHandle(workflowId.quoteApproval(quote.id, version));
  const approval = await handle
    .executeUpdate(decideUpdate, { args: [{ ...decision, approver: principal.subject, heldRoles }] })
    .catch((err: unknown) => {
      // The old version's approval has ended (or never ran): the version is superseded all the same.
      if (version < quote.currentVersion && !(err instanceof WorkflowUpdateFailedError)) {
        throw invalidState(`Quote ${quote.id} v${version} is superseded by v${quote.currentVersion}`);
      }
      throw err;
    });
  return { ...(await getQuote(deps, quote.id)), approval };
}

/**
 * The customer's signature on an approved quote: the approval workflow writes the contracts, the sales
 * contract with the SHA-256 of the version's proposal PDF. A hash in the body is what the customer says
 * they signed: another version's document, or another document, is refused. A change quote's signature is
 * recorded as a change of the order's sales contract, and then its amendment applies to the order.
 */
export async function acceptQuote(deps: AppDeps, quoteId: string, acceptance: AcceptBody, who: Actor) {
  const { quote } = await currentVersionOf(deps, quoteId);
  // A signed change quote whose change a crash kept from the order: the retry applies it.
  if (quote.changeOfOrderId && quote.state === 'accepted') {
    await applySignedChange(deps, quote.id);
    return getQuote(deps, quote.id);
  }
  if (quote.state !== 'approved')
    throw invalidState(`Quote ${quote.id} is ${quote.state}; only an approved quote can be accepted`);
  const { sha256 } = await proposalDocument(deps, quote.id, quote.currentVersion);
  if (acceptance.documentSha256 !== undefined && acceptance.documentSha256 !== sha256)
    throw unprocessable(
      `The document signed is not the proposal of quote ${quote.id} v${quote.currentVersion}`,
      [
        {
          field: 'documentSha256',
          rule: 'signed_document',
          message: `the proposal of v${quote.currentVersion} has SHA-256 ${sha256}; the body names ${acceptance.documentSha256}`,
        },
      ],
    );
  // No one signs a change the order can no longer take.
  if (quote.changeOfOrderId) await checkChangeStillApplies(deps, quote.id);
  const handle = deps.temporal.workflow.getHandle(workflowId.quoteApproval(quote.id, quote.currentVersion));
  await handle.executeUpdate(acceptUpdate, {
    args: [{ signedBy: acceptance.signedBy, recordedBy: who, documentSha256: sha256 }],
  });
  if (quote.changeOfOrderId) await applySignedChange(deps, quote.id);
  return getQuote(deps, quote.id);
}
