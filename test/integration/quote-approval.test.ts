import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { startHarness, type Harness } from '../harness';
import { auditOf, createAccount, createQuote } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const discounted = (discountPct: number) => ({
  items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct }],
});

describe('quote approval by level, decisions as Temporal updates', () => {
  it('waits for the sales manager on a 20% discount, refuses the wrong role, then is approved and accepted', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, discounted(20));
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      state: 'pending',
      approval: { approvalsRequired: ['salesManager'], awaiting: 'salesManager' },
    });

    const wrongRole = await h.by('finance-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'financeManager',
    });
    expect(wrongRole.status).toBe(409);
    expect(wrongRole.body.error.message).toMatch(/awaits the salesManager/);
    const tooEarly = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CFO' });
    expect(tooEarly.status).toBe(409);

    const approved = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
      comment: 'strategic account',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('approved');
    const handle = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    expect(await handle.query(quoteStatusQuery)).toMatchObject({
      state: 'approved',
      decisions: [{ role: 'salesManager', decision: 'approve' }],
    });

    const accepted = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Jane Doe, CFO' });
    expect(accepted.body).toMatchObject({
      state: 'accepted',
      salesContract: { id: `SC-${quoteId}`, signedBy: 'Jane Doe, CFO' },
    });
    expect(await handle.result()).toBe('accepted');
  });

  it('needs both managers on a 30% discount, and a rejection returns the quote to negotiation', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, discounted(30));
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.approval.approvalsRequired).toEqual(['salesManager', 'financeManager']);
    const first = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(first.body).toMatchObject({ state: 'pending', approval: { awaiting: 'financeManager' } });
    const rejected = await h.by('finance-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'reject',
      role: 'financeManager',
      comment: 'margin too thin',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.state).toBe('inProgress');
    expect(rejected.body.versions[0].state).toBe('rejected');
    expect(await h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1)).result()).toBe('rejected');

    const audit = await auditOf(h, quoteId);
    expect(audit.trail).toEqual([
      'tester:inProgress',
      `quote-approval:${quoteId}:v1:pending`,
      'sales-manager-1:pending',
      'finance-manager-1:inProgress',
    ]);
  });
});
