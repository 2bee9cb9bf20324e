import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { auditOf, createAccount, createQuote } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  // A quote may be signed for 4 seconds here, instead of 30 days.
  h = await startHarness({ quoteValiditySeconds: 4 });
});
afterAll(async () => {
  await h?.stop();
});

const broadband = (discountPct: number) => ({
  items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct }],
});
const agreementSlas = [
  { metric: 'availability', target: 99.95, unit: 'percent' },
  { metric: 'timeToRestore', target: 4, unit: 'hours' },
];

describe('leads and opportunities', () => {
  it('converts a lead without an account into an opportunity of one, once', async () => {
    const lead = await h.http('POST', '/leads', {
      company: 'Nordwind Shipping AG',
      contactName: 'Ida Berg',
      email: 'ida.berg@nordwind.example',
      source: 'trade fair',
    });
    expect(lead.status).toBe(201);
    expect(lead.body).toMatchObject({ state: 'new', opportunityId: null });

    const unknownAccount = await h.http('POST', `/leads/${lead.body.id}/convert`, { accountId: 'ACC-NOPE' });
    expect(unknownAccount.status).toBe(422);
    expect(unknownAccount.body.error.details).toEqual([expect.objectContaining({ field: 'accountId' })]);

    const accountId = await createAccount(h, 'Nordwind Shipping AG');
    const converted = await h.http('POST', `/leads/${lead.body.id}/convert`, { accountId });
    expect(converted.status).toBe(201);
    expect(converted.body).toMatchObject({ accountId, leadId: lead.body.id, state: 'open' });
    const again = await h.http('POST', `/leads/${lead.body.id}/convert`, { accountId });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/converted/);
    expect((await h.http('GET', `/leads/${lead.body.id}`)).body).toMatchObject({
      state: 'converted',
      opportunityId: converted.body.id,
    });

    // A quote may name the opportunity of its own account, not another's.
    const quoteId = await createQuote(h, accountId, { opportunityId: converted.body.id });
    expect((await h.http('GET', `/quotes/${quoteId}`)).body.opportunityId).toBe(converted.body.id);
    const otherAccount = await createAccount(h, 'Someone Else GmbH');
    const foreign = await h.http('POST', '/quotes', {
      accountId: otherAccount,
      opportunityId: converted.body.id,
      members: [{ ref: 'hq', kind: 'location', name: 'HQ' }],
      ...broadband(0),
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details.map((d: { field: string }) => d.field)).toEqual(['opportunityId']);
  });
});

describe('sales agreements', () => {
  it('refuses a discount cap out of range, naming the field and the rule', async () => {
    const accountId = await createAccount(h);
    const res = await h.http('POST', '/agreements', { accountId, maxDiscountPct: 150, slas: [] });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(['body.maxDiscountPct', 'body.slas']);
  });

  it("gives a quote the agreement's SLAs, and sends a discount above its cap to both approvers", async () => {
    const accountId = await createAccount(h);
    const agreement = await h.http('POST', '/agreements', {
      accountId,
      name: 'Frame agreement 2027',
      maxDiscountPct: 10,
      slas: agreementSlas,
    });
    expect(agreement.status).toBe(201);

    const quoteId = await createQuote(h, accountId, { agreementId: agreement.body.id, ...broadband(15) });
    const quote = (await h.http('GET', `/quotes/${quoteId}`)).body;
    expect(quote.versions[0]).toMatchObject({ slas: agreementSlas, agreementMaxDiscountPct: 10 });

    // 15% alone needs the sales manager; above the agreement's 10% cap it needs the top level too.
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.approval.approvalsRequired).toEqual(['salesManager', 'financeManager']);

    // Without an agreement the quote carries the catalog's standard SLAs.
    const plain = (await h.http('GET', `/quotes/${await createQuote(h, accountId)}`)).body;
    const catalog = (await h.http('GET', '/catalog/offerings')).body;
    expect(plain.versions[0].slas).toEqual(catalog.standardSlas);
    expect(plain.versions[0].slas.length).toBeGreaterThan(0);
  });
});

describe('quote versions', () => {
  it('makes a new version on change, supersedes the running approval, and keeps the old version readable', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, broadband(20));
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.state).toBe('pending');

    const revised = await h.http('PATCH', `/quotes/${quoteId}`, broadband(5));
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body).toMatchObject({ version: 2, state: 'inProgress' });
    const [v1, v2] = revised.body.versions;
    expect(v1).toMatchObject({ version: 1, state: 'superseded', maxDiscountPct: 20 });
    expect(v1.items[0]).toMatchObject({ discountPct: 20 });
    expect(v2).toMatchObject({ version: 2, state: 'inProgress', maxDiscountPct: 5 });
    expect(v2.members).toEqual(v1.members);
    expect(v2.recurringTotal).toBeGreaterThan(v1.recurringTotal);

    // The v1 approval ends as superseded, and its validator refuses a decision from then on.
    const v1Approval = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    expect(await v1Approval.result()).toBe('superseded');
    const stale = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
      version: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/v1 is superseded by v2/);

    const resubmitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(resubmitted.body).toMatchObject({ state: 'approved', version: 2 });
    const trail = (await auditOf(h, quoteId)).trail;
    expect(trail).toEqual([
      'tester:inProgress',
      `quote-approval:${quoteId}:v1:pending`,
      'tester:inProgress',
      `quote-approval:${quoteId}:v2:approved`,
    ]);
  });

  it('marks the superseded approval in the Temporal UI when only a member changes', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, broadband(20));
    await h.http('POST', `/quotes/${quoteId}/submit`);
    const v1Approval = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    expect((await v1Approval.query(quoteStatusQuery)).awaiting).toBe('salesManager');
    await h.http('PATCH', `/quotes/${quoteId}`, {
      members: [{ ref: 'hq', kind: 'location', name: 'Berlin HQ, 4th floor' }],
    });
    const status = await eventually(async () => {
      const s = await v1Approval.query(quoteStatusQuery);
      return s.superseded ? s : undefined;
    }, 'the v1 approval to be superseded');
    expect(status).toMatchObject({ state: 'superseded', supersededBy: 2 });
    const description = await v1Approval.describe();
    expect(description.searchAttributes.State).toEqual(['superseded']);
  });

  it('refuses a change to an accepted quote, a change of account, and lists every problem of a bad change', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId);
    const bad = await h.http('PATCH', `/quotes/${quoteId}`, {
      accountId: 'ACC-OTHER',
      groups: [{ ref: 'g', name: 'Empty', memberRefs: [] }],
      items: [{ offeringCode: 'NOT_IN_CATALOG' }],
    });
    expect(bad.status).toBe(422);
    expect(
      bad.body.error.details.map((d: { field: string; rule: string }) => `${d.field} ${d.rule}`),
    ).toEqual(['accountId immutable', 'groups.0.memberRefs not_empty', 'items.0.offeringCode in_catalog']);
    expect((await h.http('GET', `/quotes/${quoteId}`)).body.versions).toHaveLength(1);

    await h.http('POST', `/quotes/${quoteId}/submit`);
    await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CFO' });
    const late = await h.http('PATCH', `/quotes/${quoteId}`, broadband(1));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/accepted/);
  });
});

describe('quote validity', () => {
  it('expires an approved quote the customer did not sign in time', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId);
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.state).toBe('approved');
    const approval = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    expect(await approval.result()).toBe('expired');
    const quote = (await h.http('GET', `/quotes/${quoteId}`)).body;
    expect(quote).toMatchObject({ state: 'expired', salesContract: null, serviceContracts: [] });
    const late = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CFO' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/expired/);
    expect((await auditOf(h, quoteId)).trail).toEqual([
      'tester:inProgress',
      `quote-approval:${quoteId}:v1:approved`,
      `quote-approval:${quoteId}:v1:expired`,
    ]);
  });
});
