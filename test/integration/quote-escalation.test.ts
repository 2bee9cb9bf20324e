import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { auditOf, createAccount, createQuote } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  // Each approver gets 2 seconds here, instead of 48 hours.
  h = await startHarness({ approvalDeadlineSeconds: 2 });
});
afterAll(async () => {
  await h?.stop();
});

describe('escalation of an approver who does not decide in time', () => {
  it('moves a silent sales manager decision to the finance manager, whose approval stands', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, {
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct: 20 }],
    });
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.approval).toMatchObject({
      approvalsRequired: ['salesManager'],
      awaiting: 'salesManager',
    });

    const handle = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    const escalated = await eventually(
      async () => {
        const status = await handle.query(quoteStatusQuery);
        return status.awaiting === 'financeManager' ? status : undefined;
      },
      'the escalation to the finance manager',
      15_000,
    );
    expect(escalated.escalations).toEqual([{ from: 'salesManager', to: 'financeManager' }]);
    const description = await handle.describe();
    expect(description.searchAttributes.ApprovalLevel).toEqual(['financeManager']);

    const shown = await eventually(async () => {
      const quote = await h.http('GET', `/quotes/${quoteId}`);
      const approval = quote.body.versions[0].approval;
      return approval?.awaiting === 'financeManager' ? approval : undefined;
    }, 'the escalation on the quote');
    expect(shown).toMatchObject({
      levelsRequired: ['salesManager'],
      rule: 'salesManagerBand',
      decisionDue: null,
      escalations: [{ from: 'salesManager', to: 'financeManager' }],
    });
    const inbox = await h.as('finance-manager-2', 'financeManager')('GET', '/approvals');
    expect(inbox.body.approvals.map((a: { quoteId: string }) => a.quoteId)).toContain(quoteId);

    const late = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(late.status).toBe(409);
    const approved = await h.by('finance-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'financeManager',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('approved');

    const audit = await auditOf(h, quoteId);
    expect(audit.trail).toEqual([
      'tester:inProgress',
      `quote-approval:${quoteId}:v1:pending`,
      `quote-approval:${quoteId}:v1:pending`,
      'finance-manager-1:approved',
    ]);
    expect(audit.events[2].details).toMatchObject({
      escalatedFrom: 'salesManager',
      escalatedTo: 'financeManager',
    });
  });
});
