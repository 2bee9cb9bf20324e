/**
 * Reads of a large order that do not fetch every task: `GET /orders/:id?depth=` and the audit trail in
 * pages (`after`, `limit`), on a completed two-site order (real worker, Temporal and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness';
import { orderFor, site, workToCompletion } from '../lifecycle';

let h: Harness;
let orderId: string;
beforeAll(async () => {
  h = await startHarness();
  ({ orderId } = await orderFor(
    h,
    {
      members: [site('roastery', 'Roastery'), site('shop', 'Shop')],
      items: ['roastery', 'shop'].map((ref) => ({
        offeringCode: 'BUSINESS_BROADBAND',
        appliesTo: { member: ref },
      })),
    },
    { name: 'Speicherstadt Kaffee KG' },
  ));
  await workToCompletion(h, orderId);
});
afterAll(async () => {
  await h?.stop();
});

describe('reading an order to a depth', () => {
  it('answers the summary, the sub-orders or the domain orders without the tasks, with the same progress', async () => {
    const full = (await h.http('GET', `/orders/${orderId}`)).body;
    expect(full.subOrders[0].domainOrders[0].tasks.length).toBeGreaterThan(0);
    const tasks = full.subOrders.flatMap((s: any) => s.domainOrders.flatMap((d: any) => d.tasks));
    expect(full.progress).toMatchObject({ tasks: tasks.length, completed: tasks.length, percent: 100 });

    const summary = (await h.http('GET', `/orders/${orderId}?depth=order`)).body;
    expect(summary.subOrders).toBeUndefined();
    expect(summary.progress).toEqual(full.progress);
    expect(summary.state).toBe('completed');

    const subs = (await h.http('GET', `/orders/${orderId}?depth=subOrders`)).body;
    expect(subs.subOrders.map((s: any) => s.id)).toEqual(full.subOrders.map((s: any) => s.id));
    expect(subs.subOrders[0].domainOrders).toBeUndefined();

    const domains = (await h.http('GET', `/orders/${orderId}?depth=domainOrders`)).body;
    expect(domains.subOrders[0].domainOrders.map((d: any) => d.id)).toEqual(
      full.subOrders[0].domainOrders.map((d: any) => d.id),
    );
    expect(domains.subOrders[0].domainOrders[0].tasks).toBeUndefined();
    expect(domains.subOrders[0].items).toEqual(full.subOrders[0].items);

    expect((await h.http('GET', `/orders/${orderId}?depth=everything`)).status).toBe(400);
  });

  it('pages the audit trail with a cursor, the pages together the whole trail', async () => {
    const whole = (await h.http('GET', `/orders/${orderId}/audit`)).body;
    expect(whole.next).toBeUndefined();
    expect(whole.events.length).toBeGreaterThan(10);
    const paged: unknown[] = [];
    let after: number | undefined;
    let pages = 0;
    do {
      const page = (await h.http('GET', `/orders/${orderId}/audit?limit=7${after ? `&after=${after}` : ''}`))
        .body;
      expect(page.events.length).toBeLessThanOrEqual(7);
      paged.push(...page.events);
      after = page.next;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(Math.ceil(whole.events.length / 7));
    expect(paged).toEqual(whole.events);
  });
});
