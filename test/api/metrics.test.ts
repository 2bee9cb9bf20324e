/** `GET /metrics`: who may scrape it, the HTTP series, and business gauges counted from the database. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalIssuer } from '../../api/auth/local-issuer';
import { falloutCases } from '../../db/schema';
import { sample } from '../prometheus';
import { createOrder, insertFallout } from './fixtures';
import { startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});

const scrape = async (authorization = s.authorization) => {
  const res = await s.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: res.body };
};

describe('GET /metrics', () => {
  it('needs admin or viewer unless METRICS_PUBLIC says otherwise', async () => {
    expect((await scrape('')).status).toBe(401);
    const sales = await s.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${await tokenOf('sales')}` },
    });
    expect(sales.statusCode).toBe(403);
    const viewer = await scrape(`Bearer ${await tokenOf('viewer')}`);
    expect(viewer.status).toBe(200);
    expect(viewer.type).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts requests by route pattern, method and status, with latency', async () => {
    const { orderId } = await createOrder(s);
    await s.http('GET', `/orders/${orderId}`);
    await s.http('GET', '/orders/ORD-NONE');
    const { text } = await scrape();
    const labels = { method: 'GET', route: '/orders/:id' };
    expect(
      sample(text, 'http_request_duration_seconds_count', { ...labels, status_code: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { ...labels, status_code: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status_code: '202',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('counts open fall-outs, orders by state and jeopardy from the database at scrape time', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const type = `metrics-${randomUUID().slice(0, 8)}`;
    const falloutId = await insertFallout(s, orderId, 'open');
    await s.database.db
      .update(falloutCases)
      .set({ type: type as 'provisioning', priority: 'critical' }) // a type of its own: counts no other test moves

      .where(eq(falloutCases.id, falloutId));
    const before = await scrape();
    expect(sample(before.text, 'orchestration_fallout_cases_open', { type, priority: 'critical' })).toBe(1);
    expect(sample(before.text, 'orchestration_orders', { state: 'inProgress' })).toBeGreaterThanOrEqual(1);
    expect(before.text).toMatch(/^orchestration_orders_in_jeopardy\{level="red"\} \d+$/m);

    await s.database.db.update(falloutCases).set({ state: 'resolved' }).where(eq(falloutCases.id, falloutId));
    expect(
      sample((await scrape()).text, 'orchestration_fallout_cases_open', { type, priority: 'critical' }),
    ).toBe(0);
  });
});

async function tokenOf(role: 'sales' | 'viewer') {
  return (await LocalIssuer.open(inject('authDataDir'))).sign({ subject: `metrics-${role}`, roles: [role] });
}
