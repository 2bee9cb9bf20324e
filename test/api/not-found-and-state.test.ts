/** 404 for an unknown ID and 409 for an entity whose state refuses the action, no workflow touched. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { leads, orders } from '../../db/schema';
import { createAccount, createOrder, createQuote, insertFallout, insertTask, putQuoteIn } from './fixtures';
import { expectError, startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});
beforeEach(() => s.temporal.reset());

describe('404 not_found for an unknown ID', () => {
  it.each([
    ['GET', '/accounts/ACC-NOPE', undefined, 'Account ACC-NOPE'],
    ['GET', '/accounts/ACC-NOPE/inventory', undefined, 'Account ACC-NOPE'],
    ['GET', '/leads/LEAD-NOPE', undefined, 'Lead LEAD-NOPE'],
    ['GET', '/opportunities/OPP-NOPE', undefined, 'Opportunity OPP-NOPE'],
    ['GET', '/agreements/AGR-NOPE', undefined, 'Sales agreement AGR-NOPE'],
    ['GET', '/quotes/Q-NOPE', undefined, 'Quote Q-NOPE'],
    ['PATCH', '/quotes/Q-NOPE', { items: [{ offeringCode: 'DIA_1G' }] }, 'Quote Q-NOPE'],
    ['POST', '/quotes/Q-NOPE/submit', undefined, 'Quote Q-NOPE'],
    ['POST', '/quotes/Q-NOPE/decisions', { decision: 'approve', role: 'salesManager' }, 'Quote Q-NOPE'],
    ['POST', '/quotes/Q-NOPE/accept', { signedBy: 'CFO' }, 'Quote Q-NOPE'],
    ['GET', '/orders/ORD-NOPE', undefined, 'Order ORD-NOPE'],
    ['GET', '/orders/ORD-NOPE/audit', undefined, 'Order ORD-NOPE'],
    ['GET', '/orders/ORD-NOPE/amendments', undefined, 'Order ORD-NOPE'],
    ['POST', '/orders/ORD-NOPE/amendments', {}, 'Order ORD-NOPE'],
    ['POST', '/orders/ORD-NOPE/hold', {}, 'Order ORD-NOPE'],
    ['POST', '/orders/ORD-NOPE/cancel', undefined, 'Order ORD-NOPE'],
    ['POST', '/tasks/T-NOPE/complete', { by: 'tester' }, 'Task T-NOPE'],
    ['POST', '/tasks/T-NOPE/fail', { by: 'tester', reason: 'no access' }, 'Task T-NOPE'],
    ['GET', '/fallouts/FO-NOPE', undefined, 'Fall-out case FO-NOPE'],
    ['POST', '/fallouts/FO-NOPE/resolve', { action: 'retry' }, 'Fall-out case FO-NOPE'],
    ['POST', '/fallouts/FO-NOPE/work', { action: 'take', by: 'tester' }, 'Fall-out case FO-NOPE'],
  ])('%s %s', async (method, url, body, what) => {
    const error = expectError(await s.http(method as 'GET', url, body), 404, 'not_found');
    expect(error.message).toBe(`${what} does not exist`);
    expect(s.temporal.calls).toEqual([]);
  });

  it('a decision on a version the quote does not have yet', async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    const res = await s.http('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
      version: 2,
    });
    expect(expectError(res, 404, 'not_found').message).toBe(`Quote version ${quoteId} v2 does not exist`);
  });
});

describe('409 invalid_state names the state', () => {
  it('refuses to accept a quote in negotiation, to submit an accepted one, a decision on one not pending, and a change to it', async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    const accept = await s.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CFO' });
    expect(expectError(accept, 409, 'invalid_state').message).toContain('inProgress');
    const decide = await s.http('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(expectError(decide, 409, 'invalid_state').message).toContain('not awaiting a decision');

    await putQuoteIn(s, quoteId, 'accepted');
    const resubmit = await s.http('POST', `/quotes/${quoteId}/submit`);
    expect(expectError(resubmit, 409, 'invalid_state').message).toContain('accepted');
    const change = await s.http('PATCH', `/quotes/${quoteId}`, { items: [{ offeringCode: 'DIA_1G' }] });
    expect(expectError(change, 409, 'invalid_state').message).toContain('accepted');
    expect(s.temporal.calls).toEqual([]);
  });

  it('refuses a second order for a quote and an Idempotency-Key used for another quote; the same key answers the same order', async () => {
    const key = { 'idempotency-key': `key-${randomUUID()}` };
    const { orderId, quoteId } = await createOrder(s, undefined, key);
    s.temporal.reset();

    const duplicate = expectError(await s.http('POST', '/orders', { quoteId }), 409, 'invalid_state');
    expect(duplicate.details).toMatchObject([{ field: 'quoteId', rule: 'one_order_per_quote' }]);
    const again = await s.http('POST', '/orders', { quoteId }, key);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(orderId);

    const other = await createQuote(s, await createAccount(s));
    await putQuoteIn(s, other, 'accepted');
    const reused = expectError(
      await s.http('POST', '/orders', { quoteId: other }, key),
      409,
      'invalid_state',
    );
    expect(reused.details).toMatchObject([{ field: 'headers.idempotency-key', rule: 'same_request' }]);
    expect(await s.database.db.select().from(orders).where(eq(orders.quoteId, other))).toEqual([]);
    expect(s.temporal.effects).toEqual([]);
  });

  it('refuses to complete or fail an api task, or a task no longer running', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const apiTask = await insertTask(s, orderId, 'api', 'running');
    const done = await insertTask(s, orderId, 'field', 'completed');
    s.temporal.reset();

    const api = await s.http('POST', `/tasks/${apiTask}/complete`, { by: 'tester' });
    expect(expectError(api, 409, 'invalid_state').message).toContain('api task');
    const twice = await s.http('POST', `/tasks/${done}/fail`, { by: 'tester', reason: 'late' });
    expect(expectError(twice, 409, 'invalid_state').message).toContain('completed');
    expect(s.temporal.calls).toEqual([]);
  });

  it('refuses to work on or resolve a resolved fall-out case', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const caseId = await insertFallout(s, orderId, 'resolved');
    s.temporal.reset();
    const resolve = await s.http('POST', `/fallouts/${caseId}/resolve`, { action: 'retry' });
    expect(expectError(resolve, 409, 'invalid_state').message).toBe(
      `Fall-out ${caseId} is already resolved (skip)`,
    );
    const work = await s.http('POST', `/fallouts/${caseId}/work`, { action: 'take', by: 'tester' });
    expect(expectError(work, 409, 'invalid_state').message).toBe(`Fall-out ${caseId} is already resolved`);
    expect(s.temporal.calls).toEqual([]);
  });

  it('refuses an amendment of an order that is not in progress or held', async () => {
    const { orderId } = await createOrder(s, 'completed');
    s.temporal.reset();
    const res = await s.http('POST', `/orders/${orderId}/amendments`, { remove: [{ orderItemId: 'x' }] });
    expect(expectError(res, 409, 'invalid_state').message).toContain('is completed');
    expect(s.temporal.calls).toEqual([]);
  });

  it('refuses to convert a lead twice', async () => {
    const accountId = await createAccount(s);
    const lead = await s.http('POST', '/leads', { company: 'Nordwind AG' });
    expect((await s.http('POST', `/leads/${lead.body.id}/convert`, { accountId })).status).toBe(201);
    const again = await s.http('POST', `/leads/${lead.body.id}/convert`, { accountId });
    expect(expectError(again, 409, 'invalid_state').message).toContain('converted');
    const [row] = await s.database.db.select().from(leads).where(eq(leads.id, lead.body.id));
    expect(row.state).toBe('converted');
  });
});
