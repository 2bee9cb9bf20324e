/**
 * The API dying between the order workflow's start and the commit of the order's rows (`POST /orders`):
 * the run exists, the rows do not. Simulated on the real Temporal server and PostgreSQL by failing the
 * request right after the workflow started, which leaves exactly what a killed process leaves. The same
 * request with the same `Idempotency-Key` then gives the same order, run by the one workflow started, and
 * every side effect happens once.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, orders, productInventory } from '../../db/schema';
import { workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { billingProfile, createQuote, runningTask, site } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('an API that dies after starting the order workflow, before its commit', () => {
  it('gives the same order on the retry, started once, each side effect once', async () => {
    const account = await h.http('POST', '/accounts', { name: 'Fährhaus GmbH', billingProfile });
    const quoteId = await createQuote(h, account.body.id, {
      members: [site('pier', 'Pier office')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'pier' } }],
    });
    await h.http('POST', `/quotes/${quoteId}/submit`);
    await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CEO' });

    // The first attempt: the workflow starts, then the process "dies" before the transaction commits.
    const start = h.client.workflow.start.bind(h.client.workflow);
    let started: string | undefined;
    h.client.workflow.start = (async (...args: Parameters<typeof start>) => {
      const handle = await start(...args);
      started = handle.workflowId;
      throw new Error('the API process died here');
    }) as typeof start;
    const key = { 'idempotency-key': `capture-${quoteId}` };
    const first = await h.http('POST', '/orders', { quoteId }, key);
    h.client.workflow.start = start;
    expect(first.status).toBe(500);
    expect(started).toMatch(/^order:ORD-/);
    expect(await h.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toEqual([]);

    // The client retries with the same key, as it must after no answer.
    const retry = await h.http('POST', '/orders', { quoteId }, key);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const orderId: string = retry.body.id;
    expect(workflowId.order(orderId)).toBe(started);
    const again = await h.http('POST', '/orders', { quoteId }, key);
    expect(again.body.id).toBe(orderId);

    const taskId = await runningTask(h, orderId, 'field');
    expect((await h.by('technician')('POST', `/tasks/${taskId}/complete`, {})).status).toBe(202);
    await eventually(
      async () => ((await h.http('GET', `/orders/${orderId}`)).body.state === 'completed' ? true : undefined),
      'the order to complete',
    );

    // One run of the order's workflow, and every effect once.
    const runs = [];
    for await (const run of h.client.workflow.list({ query: `WorkflowId = '${started}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(
      await h.database.db.select().from(productInventory).where(eq(productInventory.orderId, orderId)),
    ).toHaveLength(1);
    const audit = await h.database.db.select().from(auditEvents).where(eq(auditEvents.orderId, orderId));
    expect(audit.filter((e) => e.entityType === 'order' && e.toState === 'acknowledged')).toHaveLength(1);
    expect(audit.filter((e) => e.entityType === 'order' && e.toState === 'completed')).toHaveLength(1);
  });
});
