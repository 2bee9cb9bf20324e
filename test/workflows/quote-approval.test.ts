import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptUpdate,
  decideUpdate,
  quoteStatusQuery,
  submissionUpdate,
  workflowId,
  type QuoteApprovalInput,
} from '../../workflows/contracts';
import type { quoteApproval } from '../../workflows/index';
import { argsOf, startStubbedWorker, unique, type WorkflowTestEnv } from './stubbed-worker';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startStubbedWorker({
    recordQuoteSubmitted: async () => {},
    recordQuoteEscalated: async () => {},
    recordQuoteDecision: async () => {},
    expireQuote: async () => {},
    acceptQuote: async (quoteId) => ({
      salesContractId: `SC-${quoteId}`,
      serviceContractIds: [`SC-${quoteId}-S001`],
    }),
  });
});
afterEach(async () => {
  await t?.endLeftovers();
});
afterAll(async () => {
  await t?.stop();
});

/** Starts the approval of version 1 of a new quote, as the API does on submit, and waits for its verdict. */
async function submit(maxDiscountPct: number) {
  const quoteId = `Q-${unique()}`;
  const now = await t.env.currentTimeMs();
  const input: QuoteApprovalInput = {
    quoteId,
    version: 1,
    customerId: `ACC-${quoteId}`,
    maxDiscountPct,
    validUntil: new Date(now + 30 * DAY).toISOString(),
    decisionDeadlineSeconds: 48 * 3600, // the production default
  };
  const handle = await t.start<typeof quoteApproval>('quoteApproval', {
    workflowId: workflowId.quoteApproval(quoteId, 1),
    args: [input],
  });
  const verdict = await handle.executeUpdate(submissionUpdate);
  return { quoteId, handle, verdict };
}

describe('quote approval on the time-skipping server', () => {
  it('escalates a sales manager silent for 48 hours to the finance manager, whose approval stands', async () => {
    const submittedAt = await t.env.currentTimeMs();
    const { quoteId, handle, verdict } = await submit(20);
    expect(verdict).toMatchObject({ state: 'pending', awaiting: 'salesManager' });
    // The deadline the quote shows: 48 hours of workflow time after the submission.
    const [[, , , firstWait]] = argsOf(t.calls, 'recordQuoteSubmitted').filter(([q]) => q === quoteId);
    expect(firstWait).toMatchObject({ awaiting: 'salesManager' });
    const due = Date.parse((firstWait as { decisionDue: string }).decisionDue) - submittedAt;
    expect(due).toBeGreaterThanOrEqual(48 * HOUR);
    expect(due).toBeLessThan(48 * HOUR + 60_000);
    expect(verdict.decisionDue).toBe((firstWait as { decisionDue: string }).decisionDue);

    await t.env.sleep(47 * HOUR);
    expect(await handle.query(quoteStatusQuery)).toMatchObject({ awaiting: 'salesManager', escalations: [] });
    await t.env.sleep(2 * HOUR);
    expect(await handle.query(quoteStatusQuery)).toMatchObject({
      state: 'pending',
      awaiting: 'financeManager',
      escalations: [{ from: 'salesManager', to: 'financeManager' }],
    });
    expect(argsOf(t.calls, 'recordQuoteEscalated')).toContainEqual([
      quoteId,
      1,
      'salesManager',
      'financeManager',
      // The top level waits: no deadline.
      { awaiting: 'financeManager' },
    ]);

    // The sales manager's word comes too late: the validator refuses it, nothing is recorded.
    const late = await handle
      .executeUpdate(decideUpdate, { args: [{ decision: 'approve', role: 'salesManager' }] })
      .catch((err: unknown) => err);
    expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((late as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect((late as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidState' });

    const approved = await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', role: 'financeManager', comment: 'strategic account' }],
    });
    expect(approved).toMatchObject({
      state: 'approved',
      decisions: [{ role: 'financeManager', decision: 'approve', comment: 'strategic account' }],
    });
    expect(argsOf(t.calls, 'recordQuoteDecision').filter(([q]) => q === quoteId)).toEqual([
      [
        quoteId,
        1,
        { decision: 'approve', role: 'financeManager', comment: 'strategic account' },
        'approved',
        {},
      ],
    ]);

    const contracts = await handle.executeUpdate(acceptUpdate, { args: [{ signedBy: 'Jane Doe, CFO' }] });
    expect(contracts).toEqual({
      salesContractId: `SC-${quoteId}`,
      serviceContractIds: [`SC-${quoteId}-S001`],
    });
    expect(await handle.result()).toBe('accepted');
    expect(argsOf(t.calls, 'acceptQuote').map((a) => a.slice(0, 4))).toContainEqual([
      quoteId,
      1,
      `ACC-${quoteId}`,
      'Jane Doe, CFO',
    ]);
  });

  it('expires an approved quote nobody signs within its 30 days of validity', async () => {
    const { quoteId, handle, verdict } = await submit(0);
    expect(verdict).toMatchObject({ state: 'approved', approvalsRequired: [] });
    const before = await t.env.currentTimeMs();

    expect(await handle.result()).toBe('expired');
    expect((await t.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * DAY - HOUR);
    expect(argsOf(t.calls, 'expireQuote')).toContainEqual([quoteId, 1]);
    expect(argsOf(t.calls, 'acceptQuote').filter(([q]) => q === quoteId)).toEqual([]);
  });
});
