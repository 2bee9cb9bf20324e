import {
  allHandlersFinished,
  condition,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { approvalRoles, requiredApprovals, type ApprovalRole } from '../domain/approval-policy';
import { failure, FailureType } from '../domain/failures';
import type { QuoteState } from '../domain/states';
import { activities } from './activity-proxies';
import {
  acceptUpdate,
  decideUpdate,
  quoteStatusQuery,
  submissionUpdate,
  supersedeSignal,
  type QuoteAcceptance,
  type QuoteApprovalInput,
  type ApprovalWait,
  type QuoteApprovalStatus,
  type RecordedDecision,
} from './contracts';
import { ApprovalLevel, State } from './search-attributes';

/**
 * Approval of one submitted quote version (stage 3 of DESIGN.md): the pricing policy decides the levels,
 * each level's approver decides in turn, and an approved quote waits for the customer's signature until
 * its validity date.
 */
export async function quoteApproval(input: QuoteApprovalInput): Promise<QuoteState> {
  const { quoteId, version, customerId } = input;
  const status: QuoteApprovalStatus = {
    quoteId,
    version,
    state: 'inProgress',
    approvalsRequired: requiredApprovals(input.maxDiscountPct, input.agreementMaxDiscountPct),
    decisions: [],
    escalations: [],
    superseded: false,
  };
  let evaluated = false;
  let pendingDecision: RecordedDecision | undefined;
  let acceptance: QuoteAcceptance | undefined;

  const show = (state: QuoteState) => {
    status.state = state;
    upsertSearchAttributes([
      { key: State, value: state },
      { key: ApprovalLevel, value: status.awaiting ?? 'none' },
    ]);
    const waitingOn = status.awaiting
      ? ` Waiting for the ${status.awaiting}.`
      : state === 'approved'
        ? ' Waiting for the customer to sign.'
        : '';
    setCurrentDetails(`Quote **${quoteId}** v${version} is \`${state}\`.${waitingOn}`);
  };

  /** Refuses anything asked of a version that a newer one replaced. */
  const refuseIfSuperseded = () => {
    if (status.superseded)
      throw failure(
        FailureType.InvalidState,
        `Quote ${quoteId} v${version} is superseded by v${status.supersededBy}`,
      );
  };

  setHandler(quoteStatusQuery, () => status);
  setHandler(supersedeSignal, ({ byVersion }) => {
    status.superseded = true;
    status.supersededBy = byVersion;
  });
  setHandler(submissionUpdate, async () => {
    await condition(() => evaluated);
    return status;
  });
  setHandler(
    decideUpdate,
    async (decision) => {
      pendingDecision = { ...decision, role: decision.role ?? status.awaiting! };
      await condition(() => pendingDecision === undefined);
      return status;
    },
    {
      validator: (decision) => {
        refuseIfSuperseded();
        if (status.state !== 'pending' || !status.awaiting) {
          throw failure(
            FailureType.InvalidState,
            `Quote ${quoteId} v${version} is ${status.state}, not awaiting a decision`,
          );
        }
        if (decision.heldRoles && !decision.heldRoles.includes(status.awaiting)) {
          throw failure(
            FailureType.Forbidden,
            `Quote ${quoteId} v${version} awaits the ${status.awaiting}; ${decision.approver ?? 'the caller'} holds ${decision.heldRoles.join(', ') || 'no approval role'}`,
          );
        }
        if (decision.role !== undefined && decision.role !== status.awaiting) {
          throw failure(
            FailureType.InvalidState,
            `Quote ${quoteId} v${version} awaits the ${status.awaiting}, not the ${decision.role}`,
          );
        }
        if (pendingDecision) throw failure(FailureType.InvalidState, 'A decision is already being recorded');
        // Four-eyes: whoever made the version does not approve it (the API checks first; this holds for
        // any client that reaches the update).
        if (
          decision.decision === 'approve' &&
          input.author !== undefined &&
          decision.approver === input.author
        )
          throw failure(
            FailureType.FourEyes,
            `${decision.approver} made quote ${quoteId} v${version} and cannot also approve it (four-eyes rule)`,
          );
      },
    },
  );
  setHandler(
    acceptUpdate,
    async (a) => {
      acceptance = a;
      await condition(() => status.serviceContractIds !== undefined || status.superseded);
      refuseIfSuperseded();
      return { salesContractId: status.salesContractId!, serviceContractIds: status.serviceContractIds! };
    },
    {
      validator: (_acceptance: QuoteAcceptance) => {
        refuseIfSuperseded();
        if (status.state !== 'approved' || acceptance) {
          throw failure(
            FailureType.InvalidState,
            `Quote ${quoteId} v${version} is ${status.state}; only an approved quote can be accepted`,
          );
        }
      },
    },
  );

  /** A newer version took over: this one ends, marked so in the Temporal UI (the API marked the row). */
  const endSuperseded = async (): Promise<QuoteState> => {
    status.awaiting = undefined;
    show('superseded');
    await condition(allHandlersFinished);
    return 'superseded';
  };

  /**
   * The wait for `role`, told to the activities so the quote shows it: below the top level it escalates
   * `decisionDeadlineSeconds` from now (workflow time; the timer itself starts once the activity is done).
   */
  const waitFor = (role: ApprovalRole | undefined): ApprovalWait => {
    if (!role) return {};
    const escalates = approvalRoles.indexOf(role) < approvalRoles.length - 1;
    return escalates
      ? {
          awaiting: role,
          decisionDue: new Date(Date.now() + input.decisionDeadlineSeconds * 1000).toISOString(),
        }
      : { awaiting: role };
  };

  const firstWait = waitFor(status.approvalsRequired[0]);
  await activities.recordQuoteSubmitted(quoteId, version, status.approvalsRequired, firstWait);
  status.awaiting = status.approvalsRequired[0];
  status.decisionDue = firstWait.decisionDue;
  show(status.awaiting ? 'pending' : 'approved');
  evaluated = true;

  // Each level's approver has `decisionDeadlineSeconds`; an approver who lets it pass is escalated to
  // the delegated manager above, whose decision then stands for the rest. The top level waits.
  let levels = [...status.approvalsRequired];
  while (levels.length > 0) {
    const role = levels[0];
    status.awaiting = role;
    show('pending');
    const above = approvalRoles[approvalRoles.indexOf(role) + 1];
    const heard = () => pendingDecision !== undefined || status.superseded;
    const decided = above
      ? await condition(heard, input.decisionDeadlineSeconds * 1000)
      : (await condition(heard), true);
    if (status.superseded && !pendingDecision) return endSuperseded();
    if (!decided) {
      const wait = waitFor(above);
      await activities.recordQuoteEscalated(quoteId, version, role, above!, wait);
      status.escalations.push({ from: role, to: above! });
      status.decisionDue = wait.decisionDue;
      levels = approvalRoles.slice(approvalRoles.indexOf(above!));
      continue;
    }
    const decision = pendingDecision!;
    const isLast = levels.length === 1;
    const outcome = decision.decision === 'reject' ? 'inProgress' : isLast ? 'approved' : 'pending';
    const wait = outcome === 'pending' ? waitFor(levels[1]) : {};
    await activities.recordQuoteDecision(quoteId, version, decision, outcome, wait);
    status.decisionDue = wait.decisionDue;
    status.decisions.push({
      role,
      decision: decision.decision,
      ...(decision.approver ? { approver: decision.approver } : {}),
      comment: decision.comment,
    });
    status.awaiting = undefined;
    pendingDecision = undefined;
    if (decision.decision === 'reject') {
      show('rejected');
      await condition(allHandlersFinished);
      return 'rejected';
    }
    levels = levels.slice(1);
  }
  show('approved');

  const validForMs = Math.max(0, Date.parse(input.validUntil) - Date.now());
  const accepted = await condition(() => acceptance !== undefined || status.superseded, validForMs);
  if (status.superseded && !acceptance) return endSuperseded();
  if (!accepted) {
    await activities.expireQuote(quoteId, version);
    show('expired');
    return 'expired';
  }
  const contracts = await activities.acceptQuote(
    quoteId,
    version,
    customerId,
    acceptance!.signedBy,
    acceptance!.recordedBy,
    acceptance!.documentSha256,
  );
  if (!contracts) {
    status.superseded = true;
    return endSuperseded();
  }
  status.salesContractId = contracts.salesContractId;
  status.serviceContractIds = contracts.serviceContractIds;
  show('accepted');
  await condition(allHandlersFinished);
  return 'accepted';
}
