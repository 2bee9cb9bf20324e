/**
 * Crash safety: a real worker process killed with SIGKILL at several points of an order and started again
 * ends the order as if nothing happened, with every side effect recorded exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  auditEvents,
  configurationItems,
  orders,
  productInventory,
  serviceInventory,
  simulatorCalls,
  tasks,
} from '../../db/schema';
import { eventually, startHarness, type Harness } from '../harness';
import { createAccount, createQuote, orderFor, orderInState, site } from '../lifecycle';

const root = fileURLToPath(new URL('../../', import.meta.url));
const taskQueue = `crash-${randomUUID()}`;
const SITES = 8;
let h: Harness;
let worker: ChildProcess | undefined;

/** `npm run worker` as its own process, on this test's task queue; resolves once it polls. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      SIMULATOR_LATENCY_MS: '150',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return child;
}

/** A TMF hub listener on loopback: what it received, in order of arrival. */
async function startListener() {
  const received: { eventId: string; eventType: string; correlationId: string; state?: string }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw);
      received.push({ ...body, state: body.event?.productOrder?.state });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function kill(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  h = await startHarness({ worker: false, taskQueue });
  worker = await startWorkerProcess();
}, 90_000);
afterAll(async () => {
  if (worker && worker.exitCode === null) await kill(worker);
  await h?.stop();
});

describe('a worker killed mid-order', () => {
  it('ends the order completed with every side effect once, after SIGKILLs at three points', async () => {
    const { db } = h.database;
    // A TMF hub listener too: its events go through the same worker's deliveries.
    const listener = await startListener();
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
      worker = await startWorkerProcess();
    }

    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.progress).toMatchObject({ tasks: SITES * 5, completed: SITES * 5 });

    // Every downstream call once: one per task (no attempt failed), each task's key once.
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `task:${orderId}%`));
    expect(calls).toHaveLength(SITES * 5);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(SITES * 5);
    const all = await db.select().from(tasks).where(eq(tasks.orderId, orderId));
    expect(all.every((t) => t.attempts === 1)).toBe(true);

    // Every state change once: each task created, running and completed, no more.
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.orderId, orderId))
      .orderBy(asc(auditEvents.id));
    for (const t of all) {
      const own = events.filter((e) => e.entityType === 'task' && e.entityId === t.id).map((e) => e.toState);
      expect(own).toEqual(['pending', 'running', 'completed']);
    }
    expect(events.filter((e) => e.entityType === 'order').map((e) => e.toState)).toEqual([
      'acknowledged',
      'inProgress',
      'completed',
    ]);

    // Inventory, services and CMDB records once each.
    const products = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
    expect(products).toHaveLength(SITES);
    expect(products.every((p) => p.state === 'active')).toBe(true);
    const services = await db.select().from(serviceInventory).where(eq(serviceInventory.orderId, orderId));
    expect(services).toHaveLength(SITES * 3);
    const items = await db.select().from(configurationItems).where(eq(configurationItems.orderId, orderId));
    expect(items).toHaveLength(SITES * 2); // access port and IP service per site; billing has no CI

    // The hub lost and reordered nothing: once deduplicated by eventId, the creation, then every state
    // the audit trail recorded, in its order.
    const delivered = await eventually(async () => {
      const seen = new Set<string>();
      const events = listener.received.filter(
        (e) => e.correlationId === orderId && !seen.has(e.eventId) && seen.add(e.eventId),
      );
      return events.some((e) => e.eventType === 'ProductOrderStateChangeEvent' && e.state === 'completed')
        ? events
        : undefined;
    }, 'the hub to deliver the completion');
    expect(delivered[0].eventType).toBe('ProductOrderCreateEvent');
    expect(
      delivered.filter((e) => e.eventType === 'ProductOrderStateChangeEvent').map((e) => e.state),
    ).toEqual(['inProgress', 'completed']);
    const hub = h.as('crm', 'integration');
    expect(
      (await hub('DELETE', `/tmf-api/productOrderingManagement/v4/hub/${subscribed.body.id}`)).status,
    ).toBe(204);
    await listener.close();
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
    worker = await startWorkerProcess();
    const approved = await h.by('sales-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CEO' })).body.state).toBe(
      'accepted',
    );

    // During order approval and decomposition: killed as soon as the order is captured.
    const orderId: string = (await h.http('POST', '/orders', { quoteId })).body.id;
    await kill(worker!);
    worker = await startWorkerProcess();
    // And once the plan is stored, while the first tasks run.
    await eventually(async () => {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId));
      return row.plannedCompletionDate ? true : undefined;
    }, 'the plan stored');
    await kill(worker!);
    worker = await startWorkerProcess();

    // During closure: every task done, the order not yet completed.
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
    await kill(worker!);
    worker = await startWorkerProcess();

    await orderInState(h, orderId, 'completed', 120_000);
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.orderId, orderId))
      .orderBy(asc(auditEvents.id));
    expect(events.filter((e) => e.entityType === 'order').map((e) => e.toState)).toEqual([
      'acknowledged',
      'inProgress',
      'completed',
    ]);
    const quoteTrail = (await db.select().from(auditEvents).where(eq(auditEvents.entityId, quoteId))).map(
      (e) => e.toState,
    );
    expect(quoteTrail.filter((state) => state === 'approved')).toHaveLength(1);
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `task:${orderId}%`));
    expect(calls).toHaveLength(total);
    expect(
      await db.select().from(productInventory).where(eq(productInventory.orderId, orderId)),
    ).toHaveLength(sites);
    expect(
      await db.select().from(serviceInventory).where(eq(serviceInventory.orderId, orderId)),
    ).toHaveLength(sites * 3);
    expect(
      await db.select().from(configurationItems).where(eq(configurationItems.orderId, orderId)),
    ).toHaveLength(sites * 2);
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
    const cancelled = await h.http('POST', `/orders/${orderId}/cancel`, {
      reason: 'customer went elsewhere',
    });
    expect(cancelled.body.state, JSON.stringify(cancelled.body)).toBe('pendingCancellation');
    await kill(worker!);
    worker = await startWorkerProcess();

    await orderInState(h, orderId, 'cancelled', 120_000);
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`));
    expect(calls.map((c) => c.operation).sort()).toEqual([
      'CANCEL_BILLING_SUBSCRIPTION',
      'DEACTIVATE_BROADBAND_LINE',
      'RECALL_SHIPPED_DEVICE',
      'RELEASE_SDWAN_EDGE',
    ]);
    const inventory = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => p.state)).toEqual(['cancelled']);
    const orderTrail = (await db.select().from(auditEvents).where(eq(auditEvents.orderId, orderId)))
      .filter((e) => e.entityType === 'order')
      .map((e) => e.toState);
    expect(orderTrail.filter((state) => state === 'cancelled')).toHaveLength(1);
  }, 180_000);
});
