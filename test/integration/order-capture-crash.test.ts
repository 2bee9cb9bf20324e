/**
 * The API process killed between the order workflow's start and the commit of the order's rows
 * (`POST /orders`): the run exists, the rows do not. A real `npm run api` process, on the run's Temporal
 * server and a database of this file's own: the test holds the TMF outbox's lock, which the request's
 * transaction takes right after it has started the workflow, so the request waits there; the test sees
 * the workflow started and the transaction waiting, and SIGKILLs the process. The same request with the
 * same `Idempotency-Key` then gives the same order, run by the one workflow started, and every side effect
 * happens once.
 */
import type { ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedId } from '../../api/ids';
import { auditEvents, orders } from '../../db/schema';
import { OUTBOX_LOCK } from '../../db/tmf-outbox';
import { roles } from '../../domain/roles';
import { freePort } from '../../platform/dev-server';
import type { ScratchDatabase } from '../../platform/scratch-database';
import { workflowId } from '../../workflows/contracts';
import { expectEffectsOnce } from '../effects';
import { eventually, startHarness, type Harness } from '../harness';
import { billingProfile, createQuote, runningTask, site } from '../lifecycle';
import { createOwnDatabase } from '../own-database';
import { kill, startApiProcess } from '../processes';

let own: ScratchDatabase;
let h: Harness;
let api: ChildProcess | undefined;
beforeAll(async () => {
  own = await createOwnDatabase('order_orchestration_capture');
  h = await startHarness({ databaseUrl: own.url });
}, 60_000);
afterAll(async () => {
  if (api) await kill(api);
  await h?.stop();
  await own?.drop();
});

describe('an API killed after starting the order workflow, before its commit', () => {
  it('gives the same order on the retry, started once, each side effect once', async () => {
    const account = await h.http('POST', '/accounts', { name: 'Fährhaus GmbH', billingProfile });
    const quoteId = await createQuote(h, account.body.id, {
      members: [site('pier', 'Pier office')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'pier' } }],
    });
    await h.http('POST', `/quotes/${quoteId}/submit`);
    await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CEO' });
    const orderId = derivedId('ORD', quoteId); // one order per quote: its ID comes from the quote
    const run = h.client.workflow.getHandle(workflowId.order(orderId));

    // The first attempt, to an API process of its own, stopped after the workflow's start.
    const port = await freePort();
    api = await startApiProcess(h.taskQueue, port, { DATABASE_URL: own.url });
    const holder = postgres(own.url, { max: 1, onnotice: () => {} });
    await holder`select pg_advisory_lock(${OUTBOX_LOCK})`;
    const key = `capture-${quoteId}`;
    const first = fetch(`http://127.0.0.1:${port}/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await h.token('sales-desk', ...roles)}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ quoteId }),
    }).then(
      async (res) => `answered ${res.status}: ${await res.text()}`,
      () => 'no answer',
    );
    let settled: string | undefined;
    void first.then((outcome) => (settled = outcome));
    await eventually(async () => {
      if (settled) throw new Error(`the request ended before the kill: ${settled}`);
      const started = await run.describe().then(
        () => true,
        () => false,
      );
      const [{ waiting }] = await holder`select count(*)::int as waiting from pg_locks
                                        where locktype = 'advisory' and objid = ${OUTBOX_LOCK} and not granted`;
      return (started && waiting > 0) || undefined;
    }, 'the workflow started and the request waiting before its commit');
    await kill(api);
    api = undefined;
    expect(await first).toBe('no answer');
    await holder`select pg_advisory_unlock(${OUTBOX_LOCK})`;
    await holder.end();
    expect(await h.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toEqual([]);

    // The client retries with the same key, as it must after no answer (here through another API).
    const retry = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': key });
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    expect(retry.body.id).toBe(orderId);
    const again = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': key });
    expect(again.body.id).toBe(orderId);

    const taskId = await runningTask(h, orderId, 'field');
    expect((await h.by('technician')('POST', `/tasks/${taskId}/complete`, {})).status).toBe(202);
    await eventually(
      async () => ((await h.http('GET', `/orders/${orderId}`)).body.state === 'completed' ? true : undefined),
      'the order to complete',
    );

    // One run of the order's workflow, and every effect once.
    const runs = [];
    for await (const r of h.client.workflow.list({ query: `WorkflowId = '${run.workflowId}'` })) runs.push(r);
    expect(runs).toHaveLength(1);
    const effects = await expectEffectsOnce(h.database.db, orderId, {
      products: 1,
      productState: 'active',
      services: 1, // the broadband line
      configurationItems: 1,
    });
    const orderMoves = effects.events.filter((e) => e.entityType === 'order').map((e) => e.toState);
    expect(orderMoves).toEqual(['acknowledged', 'inProgress', 'completed']);
    const created = await h.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, orderId));
    expect(created.filter((e) => e.toState === 'acknowledged')).toHaveLength(1);
  });
});
