import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness';
import { createAccount } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const discounted = (discountPct: number) => ({
  members: [{ ref: 'hq', kind: 'location', name: 'Berlin HQ', address: 'Alexanderplatz 1' }],
  items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct }],
});

describe('approvals in the open: on the quote and in the approvers inbox', () => {
  it('shows levels and why, the awaited role and its deadline, each decision with its approver, and lists what waits for the caller', async () => {
    const seller = h.as('seller-1', 'sales');
    const accountId = await createAccount(h, 'Inbox Logistics AG');
    const agreement = await h.http('POST', '/agreements', {
      accountId,
      maxDiscountPct: 10,
      slas: [{ metric: 'availability', target: 99.9, unit: '%' }],
    });
    expect(agreement.status).toBe(201);

    const first = await seller('POST', '/quotes', { accountId, ...discounted(30) });
    const capped = await seller('POST', '/quotes', {
      accountId,
      agreementId: agreement.body.id,
      ...discounted(15),
    });
    // A sales manager's own quote waits for another sales manager (four-eyes).
    const own = await h.as('manager-2', 'sales', 'salesManager')('POST', '/quotes', {
      accountId,
      ...discounted(20),
    });
    for (const q of [first, capped, own]) expect(q.status, JSON.stringify(q.body)).toBe(201);
    const [q1, q2, q3] = [first.body.id, capped.body.id, own.body.id] as string[];
    expect((await seller('GET', `/quotes/${q1}`)).body.versions[0].approval).toBeNull();
    const before = Date.now();
    expect((await seller('POST', `/quotes/${q1}/submit`)).status).toBe(202);
    expect((await seller('POST', `/quotes/${q2}/submit`)).status).toBe(202);
    expect((await h.as('manager-2', 'sales')('POST', `/quotes/${q3}/submit`)).status).toBe(202);

    const shown = await seller('GET', `/quotes/${q1}`);
    const approval = shown.body.versions[0].approval;
    expect(approval).toMatchObject({
      levelsRequired: ['salesManager', 'financeManager'],
      rule: 'financeManagerBand',
      maxDiscountPct: 30,
      agreementMaxDiscountPct: null,
      awaiting: 'salesManager',
      decisions: [],
      escalations: [],
    });
    expect(approval.reason).toMatch(/30%.*above 25%/);
    // 48 hours by default, counted from the submission.
    const due = Date.parse(approval.decisionDue);
    expect(due - before).toBeGreaterThan(47.9 * 3600_000);
    expect(due - before).toBeLessThan(48.1 * 3600_000);
    expect((await seller('GET', `/quotes/${q2}`)).body.versions[0].approval).toMatchObject({
      levelsRequired: ['salesManager', 'financeManager'],
      rule: 'agreementCap',
      agreementMaxDiscountPct: 10,
      reason: expect.stringMatching(/cap of 10%/),
    });

    const ours = (list: { quoteId: string; awaiting?: string }[]) =>
      list.filter((a) => [q1, q2, q3].includes(a.quoteId));
    const inbox = await h.as('manager-1', 'salesManager')('GET', '/approvals?state=pending');
    expect(inbox.status).toBe(200);
    expect(ours(inbox.body.approvals).map((a) => a.quoteId)).toEqual([q1, q2, q3]);
    expect(ours(inbox.body.approvals)[0]).toMatchObject({
      version: 1,
      state: 'pending',
      accountId,
      customer: 'Inbox Logistics AG',
      awaiting: 'salesManager',
      maxDiscountPct: 30,
      recurringTotal: shown.body.versions[0].recurringTotal,
      oneOffTotal: shown.body.versions[0].oneOffTotal,
      createdBy: 'seller-1',
    });
    const deadlines = inbox.body.approvals.map((a: { decisionDue: string | null }) => a.decisionDue);
    expect(deadlines.filter(Boolean)).toEqual([...deadlines.filter(Boolean)].sort());
    const ownInbox = await h.as('manager-2', 'salesManager')('GET', '/approvals');
    expect(ours(ownInbox.body.approvals).map((a) => a.quoteId)).toEqual([q1, q2]);
    const financeInbox = await h.as('finance-1', 'financeManager')('GET', '/approvals');
    expect(ours(financeInbox.body.approvals)).toEqual([]);
    expect((await seller('GET', '/approvals')).status).toBe(403);

    const decided = await h.as('manager-1', 'salesManager')('POST', `/quotes/${q1}/decisions`, {
      decision: 'approve',
      comment: 'strategic account',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const after = (await seller('GET', `/quotes/${q1}`)).body.versions[0].approval;
    expect(after).toMatchObject({
      awaiting: 'financeManager',
      // The top level waits: nothing above it to escalate to.
      decisionDue: null,
      decisions: [
        { role: 'salesManager', decision: 'approve', approver: 'manager-1', comment: 'strategic account' },
      ],
    });
    const financeNow = await h.as('finance-1', 'financeManager')('GET', '/approvals');
    expect(ours(financeNow.body.approvals).map((a) => [a.quoteId, a.awaiting])).toEqual([
      [q1, 'financeManager'],
    ]);
    const managerNow = await h.as('manager-1', 'salesManager')('GET', '/approvals');
    expect(ours(managerNow.body.approvals).map((a) => a.quoteId)).toEqual([q2, q3]);
    const history = await h.as('manager-1', 'salesManager')('GET', '/approvals?state=decided');
    expect(ours(history.body.approvals).map((a) => a.quoteId)).toEqual([q1]);

    const rejected = await h.as('finance-1', 'financeManager')('POST', `/quotes/${q1}/decisions`, {
      decision: 'reject',
      comment: 'margin too thin',
    });
    expect(rejected.body.state).toBe('inProgress');
    const closed = (await seller('GET', `/quotes/${q1}`)).body.versions[0].approval;
    expect(closed.awaiting).toBeNull();
    expect(closed.decisions.map((d: { approver: string }) => d.approver)).toEqual(['manager-1', 'finance-1']);
    const financeLater = await h.as('finance-1', 'financeManager')('GET', '/approvals');
    expect(ours(financeLater.body.approvals)).toEqual([]);
  });
});
