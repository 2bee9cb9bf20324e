/** A Prometheus scrape before, during and after a real order: the business gauges move with it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness';
import { acceptedQuote, createAccount, orderInState, runningTask } from '../lifecycle';
import { sample } from '../prometheus';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const scrape = async () => {
  const res = await h.http<string>('GET', '/metrics');
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /metrics while an order runs', () => {
  it('shows the order in progress with its field task waiting, then completed', async () => {
    // Other test files share the database: counts only ever rise by what this order adds.
    const before = await scrape();
    const quoteId = await acceptedQuote(h, await createAccount(h));
    const created = await h.http('POST', '/orders', { quoteId });
    expect(created.status).toBe(202);
    const orderId: string = created.body.id;

    const fieldTaskId = await runningTask(h, orderId, 'field');
    const during = await scrape();
    expect(sample(during, 'orchestration_orders', { state: 'inProgress' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(during, 'orchestration_tasks_waiting', { kind: 'field', state: 'running' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(during, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status_code: '202',
      }),
    ).toBe(
      sample(before, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status_code: '202',
      }) + 1,
    );

    const done = await h.by('technician-3')('POST', `/tasks/${fieldTaskId}/complete`, { note: 'installed' });
    expect(done.status).toBe(202);
    await orderInState(h, orderId, 'completed');
    const after = await scrape();
    expect(sample(after, 'orchestration_orders', { state: 'completed' })).toBeGreaterThanOrEqual(
      sample(before, 'orchestration_orders', { state: 'completed' }) + 1,
    );
  });
});
