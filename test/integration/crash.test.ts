/**
 * Crash safety: a real worker process killed with SIGKILL at several points of an order and started again
 * ends the order as if nothing happened, with every side effect recorded exactly once. Where the point is
 * a short step (decomposition, closure, a compensating call), a lock on the table the step writes holds
 * the step inside its transaction until the kill: the test proves it killed the step, not before or after.
 * The file has a database of its own, so that its locks stall no other test.
 */
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { and, eq, like, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, domainOrders, orders, serviceInventory, simulatorCalls, tasks } from '../../db/schema';
import type { ScratchDatabase } from '../../platform/scratch-database';
import { workflowId } from '../../workflows/contracts';
import { expectEffectsOnce } from '../effects';
import { eventually, startHarness, type Harness } from '../harness';
import { Listener, type HubEvent } from '../hub-listener';
import { createOwnDatabase } from '../own-database';
import { createAccount, createQuote, orderFor, orderInState, site } from '../lifecycle';
import { kill, startWorkerProcess } from '../processes';

const taskQueue = `crash-${randomUUID()}`;
const SITES = 8;
let own: ScratchDatabase;
let h: Harness;
let worker: ChildProcess | undefined;
let probe: postgres.Sql;

const startWorker = () =>
  startWorkerProcess(taskQueue, { DATABASE_URL: own.url, SIMULATOR_LATENCY_MS: '150' });

/**
 * Holds `table` in SHARE mode from a transaction of its own: whoever writes the table waits behind it,
 * inside the writer's own transaction, until `release()`. `writersWaiting()` counts them.
 */
async function lockTable(table: 'domain_orders' | 'service_inventory' | 'simulator_calls') {
  const holder = postgres(own.url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = holder.begin(async (tx) => {
    await tx.unsafe(`lock table ${table} in share mode`);
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  return {
    async writersWaiting(): Promise<number> {
      const [{ n }] =
        await probe`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
                                  where c.relname = ${table} and not l.granted`;
      return n;
    },
    async release() {
      release();
      await done;
      await holder.end();
    },
  };
}

/** Whether the workflow has an activity of that name scheduled or running. */
async function hasPending(handle: WorkflowHandle, activity: string): Promise<boolean> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? []).some((a) => a.activityType?.name === activity);
}

/** Waits until `activity` of `handle` is inside its transaction, stopped by `lock`; then kills the worker. */
async function killInside(
  handle: WorkflowHandle,
  activity: string,
  lock: Awaited<ReturnType<typeof lockTable>>,
  timeoutMs = 60_000,
) {
  await eventually(
    async () => ((await hasPending(handle, activity)) && (await lock.writersWaiting()) > 0) || undefined,
    `${activity} inside its transaction`,
    timeoutMs,
  );
  await kill(worker!);
}

beforeAll(async () => {
  own = await createOwnDatabase('order_orchestration_crash');
  probe = postgres(own.url, { max: 1, onnotice: () => {} });
  h = await startHarness({ worker: false, taskQueue, databaseUrl: own.url });
  worker = await startWorker();
}, 90_000);
afterAll(async () => {
  if (worker) await kill(worker);
  await h?.stop();
  await probe?.end();
  await own?.drop();
});

describe('a worker killed mid-order', () => {
  it('ends the order completed with every side effect once, after SIGKILLs at three points', async () => {
    const { db } = h.database;
    // A TMF hub listener too: its events go through the same worker's deliveries.
    const listener = await new Listener().start();
    const subscribed = await h.as('crm', 'integration')('POST', '/tmf-api/productOrderingManagement/v4/hub', {
      callback: listener.url,
    });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
    const members = Array.from({ length: SITES }, (_, i) => site(`s${i + 1}`, `Branch ${i + 1}`));
    const { orderId } = await orderFor(h, {
      members,
      items: members.map((m) => ({ offeringCode: 'ONNET_DIA', appliesTo: { member: m.ref } })),
    });
    const completed = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(tasks)
          .where(and(eq(tasks.orderId, orderId), eq(tasks.state, 'completed')))
      )[0].n;

    // Killed while tasks are in flight: early, midway and near the end.
    for (const atLeast of [1, 15, 30]) {
      await eventually(
        async () => ((await completed()) >= atLeast ? true : undefined),
        `${atLeast} tasks`,
        60_000,
      );
      await kill(worker!);
      worker = await startWorker();
    }

    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.progress).toMatchObject({ tasks: SITES * 5, completed: SITES * 5 });

    // Every effect once: one downstream call per task (no attempt failed), each task created, running and
    // completed once, the order's three moves, and its inventory, services and CMDB items.
    const effects = await expectEffectsOnce(db, orderId, {
      products: SITES,
      productState: 'active',
      services: SITES * 3,
      configurationItems: SITES * 2, // access port and IP service per site; billing has no CI
    });
    expect(effects.calls).toHaveLength(SITES * 5);
    expect(effects.tasks.every((t) => t.attempts === 1)).toBe(true);
    for (const t of effects.tasks) {
      const own = effects.events.filter((e) => e.entityType === 'task' && e.entityId === t.id);
      expect(own.map((e) => e.toState)).toEqual(['pending', 'running', 'completed']);
    }
    expect(effects.events.filter((e) => e.entityType === 'order').map((e) => e.toState)).toEqual([
      'acknowledged',
      'inProgress',
      'completed',
    ]);

    // The hub lost and reordered nothing: once deduplicated by eventId, the creation, then every state
    // the audit trail recorded, in its order.
    const stateOf = (e: HubEvent) => e.event.productOrder?.state;
    const delivered = await eventually(async () => {
      const events = listener.events(orderId);
      return events.some((e) => e.eventType === 'ProductOrderStateChangeEvent' && stateOf(e) === 'completed')
        ? events
        : undefined;
    }, 'the hub to deliver the completion');
    expect(delivered[0].eventType).toBe('ProductOrderCreateEvent');
    expect(delivered.filter((e) => e.eventType === 'ProductOrderStateChangeEvent').map(stateOf)).toEqual([
      'inProgress',
      'completed',
    ]);
    const hub = h.as('crm', 'integration');
    expect(
      (await hub('DELETE', `/tmf-api/productOrderingManagement/v4/hub/${subscribed.body.id}`)).status,
    ).toBe(204);
    await listener.stop();
  }, 180_000);

  it('survives SIGKILLs during quote approval, decomposition and closure: the order completes, each effect once', async () => {
    const { db } = h.database;
    const sites = 12;
    const members = Array.from({ length: sites }, (_, i) => site(`c${i + 1}`, `Depot ${i + 1}`));
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, {
      members,
      items: members.map((m) => ({
        offeringCode: 'ONNET_DIA',
        appliesTo: { member: m.ref },
        discountPct: 20,
      })),
    });
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('pending');

    // During quote approval: the approval workflow waits for the sales manager when its worker dies.
    await kill(worker!);
    worker = await startWorker();
    const approved = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CEO' })).body.state).toBe(
      'accepted',
    );

    // During decomposition: the plan's insert waits behind a lock when the worker dies.
    const plans = await lockTable('domain_orders');
    const orderId: string = (await h.http('POST', '/orders', { quoteId })).body.id;
    const order = h.client.workflow.getHandle(workflowId.order(orderId));
    await killInside(order, 'decomposeOrder', plans);
    const [undecomposed] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(undecomposed.plannedCompletionDate).toBeNull();
    expect(await db.select().from(domainOrders).where(eq(domainOrders.orderId, orderId))).toEqual([]);
    await plans.release();
    worker = await startWorker();

    // During closure: every task done, the services' insert waits behind a lock when the worker dies.
    await eventually(async () => {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId));
      return row.plannedCompletionDate ? true : undefined;
    }, 'the plan stored');
    const services = await lockTable('service_inventory');
    const total = sites * 5;
    await eventually(
      async () => {
        const [{ n }] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(tasks)
          .where(and(eq(tasks.orderId, orderId), eq(tasks.state, 'completed')));
        return n === total ? true : undefined;
      },
      'every task completed',
      120_000,
    );
    await killInside(order, 'closeOrder', services);
    const [unclosed] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(unclosed).toMatchObject({ state: 'inProgress', completedAt: null });
    expect(await db.select().from(serviceInventory).where(eq(serviceInventory.orderId, orderId))).toEqual([]);
    await services.release();
    worker = await startWorker();

    await orderInState(h, orderId, 'completed', 120_000);
    const effects = await expectEffectsOnce(db, orderId, {
      products: sites,
      productState: 'active',
      services: sites * 3,
      configurationItems: sites * 2,
    });
    expect(effects.calls).toHaveLength(total);
    expect(effects.events.filter((e) => e.entityType === 'order').map((e) => e.toState)).toEqual([
      'acknowledged',
      'inProgress',
      'completed',
    ]);
    const quoteTrail = (await db.select().from(auditEvents).where(eq(auditEvents.entityId, quoteId))).map(
      (e) => e.toState,
    );
    expect(quoteTrail.filter((state) => state === 'approved')).toHaveLength(1);
  }, 300_000);

  it("survives a SIGKILL during a cancellation's compensation: each compensating call once", async () => {
    const { db } = h.database;
    const { orderId } = await orderFor(h, {
      members: [site('ham', 'Hamburg HQ')],
      items: [{ offeringCode: 'SDWAN_SITE', appliesTo: { member: 'ham' } }],
    });
    await eventually(
      async () => {
        const res = await h.http('GET', `/tasks?orderId=${orderId}&kind=field&state=running`);
        return res.body.tasks.length === 2 ? true : undefined;
      },
      'both field visits dispatched',
      60_000,
    );
    // During compensation: the first compensating call's record waits behind a lock when the worker dies.
    const calls = await lockTable('simulator_calls');
    const cancelled = await h.http('POST', `/orders/${orderId}/cancel`, {
      reason: 'customer went elsewhere',
    });
    expect(cancelled.body.state, JSON.stringify(cancelled.body)).toBe('pendingCancellation');
    await killInside(h.client.workflow.getHandle(workflowId.order(orderId)), 'compensateTask', calls);
    expect(
      await db
        .select()
        .from(simulatorCalls)
        .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`)),
    ).toEqual([]);
    await calls.release();
    worker = await startWorker();

    await orderInState(h, orderId, 'cancelled', 120_000);
    const effects = await expectEffectsOnce(db, orderId, {
      products: 1,
      productState: 'cancelled',
      services: 0,
      configurationItems: 0,
      compensations: 4,
    });
    expect(effects.compensations.map((c) => c.operation).sort()).toEqual([
      'CANCEL_BILLING_SUBSCRIPTION',
      'DEACTIVATE_BROADBAND_LINE',
      'RECALL_SHIPPED_DEVICE',
      'RELEASE_SDWAN_EDGE',
    ]);
    const orderTrail = effects.events.filter((e) => e.entityType === 'order').map((e) => e.toState);
    expect(orderTrail.filter((state) => state === 'cancelled')).toHaveLength(1);
  }, 180_000);
});
