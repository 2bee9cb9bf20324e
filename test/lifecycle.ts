/** Steps of the lifecycle through the HTTP API, shared by the integration tests. */
import { expect } from 'vitest';
import { eventually, type Harness } from './harness';

export const billingProfile = { billingAddress: 'Alexanderplatz 1, 10178 Berlin', paymentMethod: 'invoice' };

export async function createAccount(
  h: Harness,
  name = 'Acme Logistics GmbH',
  withBilling = true,
): Promise<string> {
  const res = await h.http('POST', '/accounts', { name, ...(withBilling ? { billingProfile } : {}) });
  expect(res.status).toBe(201);
  return res.body.id;
}

export async function createQuote(
  h: Harness,
  accountId: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await h.http('POST', '/quotes', {
    accountId,
    members: [{ ref: 'hq', kind: 'location', name: 'Berlin HQ', address: 'Alexanderplatz 1' }],
    items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Creates, submits (auto-approved: no discount) and accepts a one-site broadband quote. */
export async function acceptedQuote(h: Harness, accountId: string): Promise<string> {
  const quoteId = await createQuote(h, accountId);
  const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  expect(submitted.body.state).toBe('approved');
  const accepted = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Jane Doe, CFO' });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  expect(accepted.body.state).toBe('accepted');
  return quoteId;
}

/** Waits until the order's task of that kind is running (dispatched to a person) and returns its ID. */
export async function runningTask(h: Harness, orderId: string, kind: string): Promise<string> {
  return eventually(async () => {
    const res = await h.http('GET', `/tasks?orderId=${orderId}&kind=${kind}&state=running`);
    return res.body.tasks[0]?.id as string | undefined;
  }, `a running ${kind} task of ${orderId}`);
}

export async function orderInState(h: Harness, orderId: string, state: string, timeoutMs?: number) {
  return eventually(
    async () => {
      const res = await h.http('GET', `/orders/${orderId}`);
      return res.body.state === state ? res.body : undefined;
    },
    `order ${orderId} to be ${state}`,
    timeoutMs,
  );
}

/** Completes every person's task of the order as it comes up (a technician's visits) until it is completed. */
export async function workToCompletion(h: Harness, orderId: string, timeoutMs = 90_000): Promise<void> {
  await eventually(
    async () => {
      const res = await h.http('GET', `/tasks?orderId=${orderId}&state=running`);
      for (const t of (res.body.tasks as { id: string; kind: string }[]).filter((r) => r.kind !== 'api'))
        await h.by('technician')('POST', `/tasks/${t.id}/complete`, {});
      return (await h.http('GET', `/orders/${orderId}?depth=order`)).body.state === 'completed'
        ? true
        : undefined;
    },
    `order ${orderId} to be worked to completion`,
    timeoutMs,
  );
}

/** The audit events of one entity, oldest first, as `actor:toState`, with the events themselves. */
export async function auditOf(h: Harness, entityId: string) {
  const events = await h.database.db.query.auditEvents.findMany({
    where: (e, { eq }) => eq(e.entityId, entityId),
    orderBy: (e, { asc }) => asc(e.id),
  });
  return { events, trail: events.map((e) => `${e.actor}:${e.toState}`) };
}

/** An account, a quote with that body (no discount: approved at once), its acceptance and its order. */
export async function orderFor(
  h: Harness,
  quote: Record<string, unknown>,
  account: {
    name?: string;
    billingProfile?: Record<string, unknown>;
    beforeOrder?: (accountId: string) => Promise<unknown>;
  } = {},
): Promise<{ accountId: string; quoteId: string; orderId: string }> {
  const created = await h.http('POST', '/accounts', {
    name: account.name ?? 'Hanse Logistik GmbH',
    billingProfile: account.billingProfile ?? billingProfile,
  });
  const accountId: string = created.body.id;
  const quoteId = await createQuote(h, accountId, quote);
  const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
  expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('approved');
  await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Jens Ohl, CEO' });
  // After the signature: a fault aimed at order approval is not spent by the quote's feasibility check.
  await account.beforeOrder?.(accountId);
  const order = await h.http('POST', '/orders', { quoteId });
  expect(order.status, JSON.stringify(order.body)).toBe(202);
  return { accountId, quoteId, orderId: order.body.id };
}

/** A location member `ref` with a name and an address. */
export const site = (ref: string, name: string) => ({
  ref,
  kind: 'location',
  name,
  address: `${name} street 1`,
});
