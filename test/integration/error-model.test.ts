import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, orders, quotes } from '../../db/schema';
import { startHarness, type Harness } from '../harness';
import { acceptedQuote, createAccount, createQuote, orderInState, runningTask } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(Array.isArray(res.body.error.details)).toBe(true);
};

describe('404 not_found for an unknown ID', () => {
  it.each([
    ['GET', '/accounts/ACC-NOPE'],
    ['GET', '/accounts/ACC-NOPE/inventory'],
    ['GET', '/quotes/Q-NOPE'],
    ['POST', '/quotes/Q-NOPE/submit'],
    ['GET', '/orders/ORD-NOPE'],
    ['GET', '/orders/ORD-NOPE/audit'],
    ['GET', '/no/such/route'],
  ])('%s %s', async (method, url) => {
    expectError(await h.http(method as 'GET', url), 404, 'not_found');
  });

  it('POST /tasks/:id/complete on an unknown task', async () => {
    expectError(await h.by('tech')('POST', '/tasks/T-NOPE/complete', {}), 404, 'not_found');
  });
});

describe('400 validation_failed names each field and rule', () => {
  it('lists every problem of a malformed quote', async () => {
    const res = await h.http('POST', '/quotes', {
      accountId: '',
      members: [{ ref: 'a', kind: 'castle', name: 'X' }],
      items: [{ offeringCode: 'DIA_1G', quantity: -2, discountPct: 140 }],
      colour: 'blue',
    });
    expectError(res, 400, 'validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'body.accountId',
        'body.members.0.kind',
        'body.items.0.quantity',
        'body.items.0.discountPct',
        'body',
      ]),
    );
    for (const detail of res.body.error.details) expect(detail.rule).toBeTruthy();
  });

  it('refuses a body that is not JSON', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/accounts',
      payload: '{"name": ',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await h.token('sales-1', 'sales')}`,
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'body', rule: 'json' }],
    });
  });

  it('refuses a missing required field and a bad query parameter', async () => {
    const noName = await h.http('POST', '/accounts', {});
    expectError(noName, 400, 'validation_failed');
    expect(noName.body.error.details[0].field).toBe('body.name');
    const badQuery = await h.http('GET', '/orders?state=sleeping');
    expectError(badQuery, 400, 'validation_failed');
    expect(badQuery.body.error.details[0].field).toBe('querystring.state');
  });
});

describe('422 unprocessable lists every business rule broken', () => {
  it('refuses a quote with an unknown offering, unknown member and empty group, writing nothing', async () => {
    const accountId = await createAccount(h);
    const res = await h.http('POST', '/quotes', {
      accountId,
      members: [{ ref: 'hq', kind: 'location', name: 'HQ' }],
      groups: [{ ref: 'empty', name: 'Nobody', memberRefs: [] }],
      items: [
        { offeringCode: 'TELEPATHY_10G', appliesTo: { member: 'hq' } },
        { offeringCode: 'DIA_1G', appliesTo: { member: 'branch' } },
        { offeringCode: 'MOBILE_LINE', appliesTo: { member: 'hq' } },
      ],
    });
    expectError(res, 422, 'unprocessable');
    expect(
      res.body.error.details.map((d: { field: string; rule: string }) => `${d.field}:${d.rule}`),
    ).toEqual([
      'groups.0.memberRefs:not_empty',
      'items.0.offeringCode:in_catalog',
      'items.1.appliesTo.member:exists',
      'items.2.appliesTo:member_kind',
    ]);
    expect(await h.database.db.select().from(quotes).where(eq(quotes.accountId, accountId))).toEqual([]);
  });

  it('refuses an order from a quote that is not accepted and an account without billing profile, all at once', async () => {
    const accountId = await createAccount(h, 'No Billing Ltd', false);
    const quoteId = await createQuote(h, accountId);
    const res = await h.http('POST', '/orders', { quoteId });
    expectError(res, 422, 'unprocessable');
    expect(res.body.error.details.map((d: { rule: string }) => d.rule)).toEqual([
      'quote_accepted',
      'billing_profile',
    ]);
    expect(await h.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toEqual([]);
    expect(await h.database.db.select().from(accounts).where(eq(accounts.parentId, accountId))).toEqual([]);
  });
});

describe('409 invalid_state names the state', () => {
  it('refuses to accept a quote still in negotiation, and to submit an accepted one', async () => {
    const accountId = await createAccount(h);
    const draft = await createQuote(h, accountId);
    const accept = await h.http('POST', `/quotes/${draft}/accept`, { signedBy: 'CFO' });
    expectError(accept, 409, 'invalid_state');
    expect(accept.body.error.message).toContain('inProgress');

    const accepted = await acceptedQuote(h, accountId);
    const resubmit = await h.http('POST', `/quotes/${accepted}/submit`);
    expectError(resubmit, 409, 'invalid_state');
    expect(resubmit.body.error.message).toContain('accepted');
  });

  it('refuses a second order for a quote, returns the same order for the same Idempotency-Key, and refuses to complete an api task', async () => {
    const accountId = await createAccount(h);
    const quoteId = await acceptedQuote(h, accountId);
    const first = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': `key-${quoteId}` });
    expect(first.status).toBe(202);
    const again = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': `key-${quoteId}` });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const duplicate = await h.http('POST', '/orders', { quoteId });
    expectError(duplicate, 409, 'invalid_state');
    expect(await h.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toHaveLength(1);

    const fieldTask = await runningTask(h, first.body.id, 'field');
    const apiTask = fieldTask.replace(/T02$/, 'T01');
    const refused = await h.by('someone')('POST', `/tasks/${apiTask}/complete`, {});
    expectError(refused, 409, 'invalid_state');
    expect(refused.body.error.message).toContain('api task');

    // Completing twice: the second finds the task no longer running.
    expect((await h.by('tech')('POST', `/tasks/${fieldTask}/complete`, {})).status).toBe(202);
    await orderInState(h, first.body.id, 'completed');
    const twice = await h.by('tech')('POST', `/tasks/${fieldTask}/complete`, {});
    expectError(twice, 409, 'invalid_state');
    expect(twice.body.error.message).toContain('completed');
  });
});
