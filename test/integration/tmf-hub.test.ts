/**
 * The TMF622 event hub on the real worker, Temporal and PostgreSQL, with listeners served by the test on
 * loopback: every event of an order arrives once (after deduplication by `eventId`), in order, signed;
 * a listener that answers 500 gets everything it missed once it recovers, the subscription showing
 * `failing` past the retry window (shortened here to 3 s) and `active` again after.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness, type Http } from '../harness';
import { Listener, type HubEvent } from '../hub-listener';
import { billingProfile, createQuote, runningTask, site } from '../lifecycle';
import { expectTmf, expectTmfOf, type Tmf622Definition } from '../tmf-schema';

const base = '/tmf-api/productOrderingManagement/v4';

let h: Harness;
let crm: Http;
const listeners: Listener[] = [];
beforeAll(async () => {
  h = await startHarness({
    hub: { delivery: { retryWindowMs: 3_000, maxRetryIntervalMs: 500, failingRetryMs: 500, pollMs: 1_000 } },
  });
  crm = h.as('crm', 'integration');
});
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.stop()));
  await h?.stop();
});

async function listener(): Promise<Listener> {
  const l = await new Listener().start();
  listeners.push(l);
  return l;
}

async function subscribe(callback: string, query?: string): Promise<{ id: string; secret: string }> {
  const res = await crm('POST', `${base}/hub`, { callback, ...(query ? { query } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expectTmf('EventSubscription', res.body);
  expect(res.body).toMatchObject({ callback, state: 'active' });
  expect(res.body.secret).toMatch(/^whsec_/);
  return res.body;
}

/** A one-site order through TMF622, from an accepted quote. */
async function productOrder(name: string): Promise<string> {
  const account = await h.http('POST', '/accounts', { name, billingProfile });
  const quoteId = await createQuote(h, account.body.id, {
    members: [site('hq', `${name} office`)],
    items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
  });
  await h.http('POST', `/quotes/${quoteId}/submit`);
  await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CEO' });
  const order = await crm('POST', `${base}/productOrder`, { quote: [{ id: quoteId }] });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return order.body.id;
}

async function completeFieldTask(orderId: string): Promise<void> {
  const taskId = await runningTask(h, orderId, 'field');
  expect((await h.by('technician')('POST', `/tasks/${taskId}/complete`, {})).status).toBe(202);
}

/** The order's states as its audit trail recorded them, in order. */
async function auditedStates(orderId: string): Promise<string[]> {
  const audit = (await h.http('GET', `/orders/${orderId}/audit`)).body.events as {
    entityType: string;
    entityId: string;
    toState: string;
  }[];
  return audit.filter((e) => e.entityType === 'order' && e.entityId === orderId).map((e) => e.toState);
}

const isCompletion = (e: HubEvent) =>
  e.eventType === 'ProductOrderStateChangeEvent' && e.event.productOrder?.state === 'completed';

function expectValidEvent(event: HubEvent): void {
  if (event.eventType.startsWith('ProductOrder') && !/Milestone|Jeopardy/.test(event.eventType))
    expectTmf(event.eventType as Tmf622Definition, event);
  if (event.event.productOrder) expectTmf('ProductOrder', event.event.productOrder);
  if (event.event.cancelProductOrder) expectTmf('CancelProductOrder', event.event.cancelProductOrder);
}

describe('TMF622 event hub', () => {
  it('delivers the create event and every state change, each once, in order, signed, filtered by query', async () => {
    const all = await listener();
    const completedOnly = await listener();
    const { secret } = await subscribe(all.url);
    await subscribe(
      completedOnly.url,
      'eventType=ProductOrderStateChangeEvent&event.productOrder.state=completed',
    );

    const orderId = await productOrder('Elbe Logistik GmbH');
    await completeFieldTask(orderId);
    await eventually(async () => all.events(orderId).find(isCompletion), 'the completed event');

    const events = all.events(orderId);
    events.forEach(expectValidEvent);
    expect(events[0]).toMatchObject({ eventType: 'ProductOrderCreateEvent', correlationId: orderId });
    const changes = events.filter((e) => e.eventType === 'ProductOrderStateChangeEvent');
    const audited = await auditedStates(orderId);
    expect(changes.map((e) => e.event.productOrder!.state)).toEqual(audited.slice(1));
    expect(audited.at(-1)).toBe('completed');
    // In the order of the outbox: event times never go back.
    const times = events.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(events.map((e) => e.eventType)).toContain('ProductOrderAttributeValueChangeEvent');

    // Standard Webhooks: the listener checks the signature with the subscription's secret.
    const verifier = new Webhook(secret);
    for (const d of all.deliveries.filter((x) => x.body.correlationId === orderId)) {
      expect(d.headers['webhook-id']).toBe(d.body.eventId);
      expect(() => verifier.verify(d.raw, d.headers as Record<string, string>)).not.toThrow();
    }
    const sample = all.deliveries.find((x) => x.body.correlationId === orderId)!;
    const tampered = sample.raw.replace(orderId, 'ORD-FORGED');
    expect(() => verifier.verify(tampered, sample.headers as Record<string, string>)).toThrow();
    const { 'webhook-signature': _signature, ...unsigned } = sample.headers;
    expect(() => verifier.verify(sample.raw, unsigned as Record<string, string>)).toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`).verify(
        sample.raw,
        sample.headers as Record<string, string>,
      ),
    ).toThrow();

    await eventually(
      async () => (completedOnly.events(orderId).length > 0 ? true : undefined),
      'the filtered event',
    );
    expect(completedOnly.events(orderId).map((e) => [e.eventType, e.event.productOrder?.state])).toEqual([
      ['ProductOrderStateChangeEvent', 'completed'],
    ]);
  });

  it('keeps every event for a listener that is down, shows failing past the window, then catches up in order', async () => {
    const flaky = await listener();
    flaky.down = true;
    const { id } = await subscribe(flaky.url);
    const orderId = await productOrder('Alster Kontor KG');
    await completeFieldTask(orderId);
    await eventually(
      async () => ((await auditedStates(orderId)).at(-1) === 'completed' ? true : undefined),
      'completion',
    );

    const failing = await eventually(async () => {
      const res = await crm('GET', `${base}/hub/${id}`);
      return res.body.state === 'failing' ? res.body : undefined;
    }, 'the subscription to show failing');
    expect(failing.lastError).toMatch(/ProductOrderCreateEvent .*500/);
    expect(failing.secret).toBeUndefined();
    expect(flaky.deliveries).toHaveLength(0);

    flaky.down = false;
    await eventually(
      async () => (flaky.events(orderId).some(isCompletion) ? true : undefined),
      'the listener to catch up',
    );
    const events = flaky.events(orderId);
    events.forEach(expectValidEvent);
    expect(events[0].eventType).toBe('ProductOrderCreateEvent');
    const changes = events.filter((e) => e.eventType === 'ProductOrderStateChangeEvent');
    expect(changes.map((e) => e.event.productOrder!.state)).toEqual((await auditedStates(orderId)).slice(1));
    expect((await crm('GET', `${base}/hub/${id}`)).body.state).toBe('active');
  });

  it('announces a cancellation and its end; refuses a callback off the allow-list and a caller without the role', async () => {
    const cancels = await listener();
    const { id } = await subscribe(
      cancels.url,
      'eventType=CancelProductOrderCreateEvent,CancelProductOrderStateChangeEvent',
    );
    const orderId = await productOrder('Hafen Kiosk OHG');
    await runningTask(h, orderId, 'field');
    const cancel = await crm('POST', `${base}/cancelProductOrder`, { productOrder: { id: orderId } });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    await eventually(
      async () =>
        cancels.events(orderId).some((e) => e.event.cancelProductOrder?.state === 'done') ? true : undefined,
      'the cancellation to be announced done',
    );
    const events = cancels.events(orderId);
    events.forEach(expectValidEvent);
    expect(events.map((e) => [e.eventType, e.event.cancelProductOrder!.state])).toEqual([
      ['CancelProductOrderCreateEvent', 'acknowledged'],
      ['CancelProductOrderStateChangeEvent', 'inProgress'],
      ['CancelProductOrderStateChangeEvent', 'done'],
    ]);

    const offList = await crm('POST', `${base}/hub`, { callback: 'http://10.0.0.7/internal' });
    expect(offList.status).toBe(422);
    expectTmf('Error', offList.body);
    expect(offList.body.message).toMatch(/HUB_CALLBACK_ALLOWLIST/);
    const badQuery = await crm('POST', `${base}/hub`, {
      callback: cancels.url,
      query: 'eventType=OrderShipped',
    });
    expect(badQuery.status).toBe(422);
    const sales = await h.as('sam', 'sales')('POST', `${base}/hub`, { callback: cancels.url });
    expect(sales.status).toBe(403);

    expect((await crm('DELETE', `${base}/hub/${id}`)).status).toBe(204);
    expect((await crm('GET', `${base}/hub/${id}`)).status).toBe(404);
    expect((await crm('DELETE', `${base}/hub/${id}`)).status).toBe(404);
  });
});

describe('the read APIs’ hubs', () => {
  const hubOf = (api: string) => `/tmf-api/${api}/v4/hub`;
  async function subscribeTo(api: string, callback: string, query?: string): Promise<string> {
    const res = await crm('POST', hubOf(api), { callback, ...(query ? { query } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectTmf('EventSubscription', res.body);
    return res.body.id;
  }
  type ResourceEvent = {
    eventId: string;
    eventType: string;
    correlationId: string;
    domain: string;
    event: Record<string, { id: string; state?: string; status?: string }>;
  };
  const received = (l: Listener, correlationId: string) => {
    const seen = new Set<string>();
    return l.deliveries
      .map((d) => d.body as unknown as ResourceEvent)
      .filter((e) => e.correlationId === correlationId && !seen.has(e.eventId) && seen.add(e.eventId));
  };

  it('send service order, product, service and quote events, each API its own, valid against its specification', async () => {
    const [serviceOrders, products, services, quoteEvents] = await Promise.all([
      listener(),
      listener(),
      listener(),
      listener(),
    ]);
    const serviceOrderHub = await subscribeTo(
      'serviceOrdering',
      serviceOrders.url,
      'eventType=ServiceOrderStateChangeEvent&event.serviceOrder.state=completed',
    );
    await subscribeTo('productInventory', products.url);
    await subscribeTo('serviceInventory', services.url);
    await subscribeTo('quoteManagement', quoteEvents.url);
    // Each hub knows its own events and its own subscriptions only.
    const wrongType = await crm('POST', hubOf('serviceOrdering'), {
      callback: serviceOrders.url,
      query: 'eventType=ProductOrderStateChangeEvent',
    });
    expect(wrongType.status).toBe(422);
    expect((await crm('GET', `${hubOf('serviceOrdering')}/${serviceOrderHub}`)).status).toBe(200);
    expect((await crm('GET', `${hubOf('productOrderingManagement')}/${serviceOrderHub}`)).status).toBe(404);

    const orderId = await productOrder('Weser Spedition GmbH');
    const quoteId = (await h.http('GET', `/orders/${orderId}`)).body.quoteId as string;
    await completeFieldTask(orderId);
    const domainOrders = (
      await h.http('GET', `/tmf-api/serviceOrdering/v4/serviceOrder?externalReference.id=${orderId}`)
    ).body as { id: string }[];
    expect(domainOrders.length).toBeGreaterThan(0);
    await eventually(
      async () => received(serviceOrders, orderId).length === domainOrders.length || undefined,
      'a completed event for each service order',
    );
    await eventually(
      async () => received(services, orderId).length === domainOrders.length || undefined,
      'a create event for each service',
    );

    await eventually(async () => {
      const events = received(products, orderId);
      const created = events.filter((e) => e.eventType === 'ProductCreateEvent').length;
      const active = events.filter((e) => e.event.product.status === 'active').length;
      return (created > 0 && active === created) || undefined;
    }, 'each product active');

    // TMF641: only what the query asked for, one per service order, each completed.
    const completed = received(serviceOrders, orderId);
    expect(completed.map((e) => e.event.serviceOrder.id).sort()).toEqual(
      domainOrders.map((d) => d.id).sort(),
    );
    for (const e of completed) {
      expect(e).toMatchObject({ eventType: 'ServiceOrderStateChangeEvent', domain: 'serviceOrdering' });
      expect(e.event.serviceOrder.state).toBe('completed');
      expectTmfOf('TMF641', 'ServiceOrderStateChangeEvent', e);
      expectTmfOf('TMF641', 'ServiceOrder', e.event.serviceOrder);
    }
    // TMF637: each product created, then active.
    const productEvents = received(products, orderId);
    const productIds = [...new Set(productEvents.map((e) => e.event.product.id))];
    for (const id of productIds) {
      const mine = productEvents.filter((e) => e.event.product.id === id);
      expect(mine.map((e) => [e.eventType, e.event.product.status])).toEqual([
        ['ProductCreateEvent', 'created'],
        ['ProductStateChangeEvent', 'active'],
      ]);
      for (const e of mine) {
        expectTmfOf('TMF637', e.eventType, e);
        expectTmfOf('TMF637', 'Product', e.event.product);
      }
    }
    expect(productIds.length).toBeGreaterThan(0);
    // TMF638: a service per service order, created active.
    for (const e of received(services, orderId)) {
      expect(e.eventType).toBe('ServiceCreateEvent');
      expectTmfOf('TMF638', 'ServiceCreateEvent', e);
      expectTmfOf('TMF638', 'Service', e.event.service);
    }
    // TMF648: the quote created, then each state it went through, in order.
    const quoteStates = received(quoteEvents, quoteId).map((e) => [e.eventType, e.event.quote.state]);
    expect(quoteStates).toEqual([
      ['QuoteCreateEvent', 'inProgress'],
      ['QuoteStateChangeEvent', 'approved'],
      ['QuoteStateChangeEvent', 'accepted'],
    ]);
    for (const e of received(quoteEvents, quoteId)) expectTmfOf('TMF648', e.eventType, e);
    // No listener got another API's events.
    for (const [l, prefix] of [
      [serviceOrders, 'ServiceOrder'],
      [products, 'Product'],
      [services, 'Service'],
      [quoteEvents, 'Quote'],
    ] as const)
      expect(l.deliveries.every((d) => d.body.eventType.startsWith(prefix))).toBe(true);
    expect(products.deliveries.some((d) => d.body.eventType.startsWith('ProductOrder'))).toBe(false);
  });
});
