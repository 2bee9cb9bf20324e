/**
 * Crash safety: a real worker process killed with SIGKILL at several points of an order and started again
 * ends the order as if nothing happened, with every side effect recorded exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  auditEvents,
  configurationItems,
  productInventory,
  serviceInventory,
  simulatorCalls,
  tasks,
} from '../../db/schema';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor, orderInState, site } from '../lifecycle';

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
  }, 180_000);
});
