/**
 * What the stub app's tests start from. The API makes accounts and quotes itself; what a workflow would
 * have written (a quote accepted, an order in progress, its tasks, a fall-out case) is written here.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { falloutCases, orders, quotes, quoteVersions, tasks } from '../../db/schema';
import type { FalloutCaseState, OrderState, QuoteState, TaskState } from '../../domain/states';
import type { StubApp } from './stub-app';

export const billingProfile = { billingAddress: 'Alexanderplatz 1, 10178 Berlin', paymentMethod: 'invoice' };
export const hq = { ref: 'hq', kind: 'location', name: 'Berlin HQ', address: 'Alexanderplatz 1' };

export async function createAccount(s: StubApp, withBilling = true): Promise<string> {
  const res = await s.http('POST', '/accounts', {
    name: 'Stub Logistics GmbH',
    ...(withBilling ? { billingProfile } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A one-site broadband quote, version 1, in negotiation. */
export async function createQuote(s: StubApp, accountId: string): Promise<string> {
  const res = await s.http('POST', '/quotes', {
    accountId,
    members: [hq],
    items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** What the quote's approval workflow would have done: the quote and its current version are in `state`. */
export async function putQuoteIn(s: StubApp, quoteId: string, state: QuoteState): Promise<void> {
  const [quote] = await s.database.db.update(quotes).set({ state }).where(eq(quotes.id, quoteId)).returning();
  await s.database.db
    .update(quoteVersions)
    .set({ state })
    .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, quote.currentVersion)));
}

/** An order of an accepted quote, created through the API (its workflow start only recorded). */
export async function createOrder(s: StubApp, state?: OrderState, headers?: Record<string, string>) {
  const accountId = await createAccount(s);
  const quoteId = await createQuote(s, accountId);
  await putQuoteIn(s, quoteId, 'accepted');
  const res = await s.http('POST', '/orders', { quoteId }, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  if (state) await s.database.db.update(orders).set({ state }).where(eq(orders.id, res.body.id));
  return { accountId, quoteId, orderId: res.body.id as string, order: res.body };
}

/** A task row of an order, as decomposition would have written it. */
export async function insertTask(
  s: StubApp,
  orderId: string,
  kind: 'api' | 'manual' | 'field' | 'project',
  state: TaskState,
): Promise<string> {
  const id = `${orderId}-S00-D00-T${randomUUID().slice(0, 4)}`;
  await s.database.db.insert(tasks).values({
    id,
    orderId,
    domainOrderId: `${orderId}-S00-D00`,
    code: kind === 'api' ? 'ACTIVATE_LINE' : 'SITE_SURVEY',
    name: 'A stub task',
    kind,
    state,
    plannedMinutes: 60,
  });
  return id;
}

/** A fall-out case of an order's task, as the fall-out workflow would have written it. */
export async function insertFallout(s: StubApp, orderId: string, state: FalloutCaseState): Promise<string> {
  const id = `FO-${randomUUID().slice(0, 8)}`;
  await s.database.db.insert(falloutCases).values({
    id,
    orderId,
    domainOrderId: `${orderId}-S00-D00`,
    taskId: `${orderId}-S00-D00-T01`,
    type: 'provisioning',
    priority: 'high',
    assignmentGroup: 'provisioning-l1',
    state,
    reason: 'downstream refused',
    ...(state === 'resolved' ? { resolution: { action: 'skip', by: 'back-office' } } : {}),
  });
  return id;
}
