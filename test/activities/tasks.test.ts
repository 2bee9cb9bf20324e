import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities, type Activities, type ActivityDeps } from '../../activities';
import { openDatabase, type Database, type Db } from '../../db/client';
import { auditEvents, simulatorCalls, tasks } from '../../db/schema';
import { activityDeps } from '../activity-deps';
import { auditOf, seedOrder, taskOf } from './seed';

let database: Database;
let db: Db;
let deps: ActivityDeps;
let activities: Activities;
beforeAll(async () => {
  database = await openDatabase(inject('databaseUrl'));
  db = database.db;
  deps = activityDeps(db);
  activities = createActivities(deps);
});
afterAll(async () => {
  await database?.close();
});

/** A decomposed one-site order of dedicated internet access: carrier circuit, router, IP, billing. */
async function decomposedOrder() {
  const seeded = await seedOrder(db, [{ ref: 'ham', name: 'Hamburg HQ', offeringCode: 'DIA_1G' }]);
  await activities.decomposeOrder(seeded.orderId, 60_000);
  return seeded;
}

const quiet = () => {};
const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

/** Runs an api task's attempt as the worker would: in an activity context, which it heartbeats. */
const attempt = (taskId: string, number: number, customerId: string) =>
  new MockActivityEnvironment({}, { logger }).run(
    activities.runApiTask,
    taskId,
    number,
    customerId,
  ) as ReturnType<Activities['runApiTask']>;

const rejection = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
};

const rowOf = async (taskId: string) => (await db.select().from(tasks).where(eq(tasks.id, taskId)))[0];
const trail = async (id: string) => (await auditOf(db, id)).map((e) => e.toState);

describe('task activities against the database alone', () => {
  it('calls the downstream system once per attempt, however often the attempt is retried, and passes the milestone once', async () => {
    const { orderId, accountId, itemIds } = await decomposedOrder();
    const circuit = await taskOf(db, orderId, 'ORDER_CARRIER_CIRCUIT');

    const first = await attempt(circuit.id, 1, accountId);
    const retried = await attempt(circuit.id, 1, accountId); // the worker died before reporting
    expect(retried).toEqual(first);
    expect(first.reference).toMatch(/^carrier-gateway-/);
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `task:${circuit.id}:%`));
    expect(calls.map((c) => c.idempotencyKey)).toEqual([`task:${circuit.id}:attempt-1`]);
    expect(await trail(circuit.id)).toEqual(['pending', 'running', 'completed']);
    expect(await rowOf(circuit.id)).toMatchObject({
      state: 'completed',
      attempts: 1,
      completedBy: 'carrier-gateway',
    });
    // The carrier circuit is the bundle's point of no return: recorded once on its item.
    const milestones = await db.select().from(auditEvents).where(eq(auditEvents.entityId, itemIds[0]));
    expect(milestones.map((m) => [m.entityType, m.toState])).toEqual([['milestone', 'pointOfNoReturn']]);
  });

  it('refuses, non-retryable, an attempt whose system is offline (spending nothing) or refuses, and a task that does not exist', async () => {
    const { orderId, accountId } = await decomposedOrder();
    const port = await taskOf(db, orderId, 'RESERVE_ACCESS_PORT');
    // A system of this test's own: the run's other tests share the simulator's tables.
    const system = `inventory-${orderId}`;
    await db.update(tasks).set({ system }).where(eq(tasks.id, port.id));

    await deps.simulator.setOffline(system, true);
    const offline = await rejection(attempt(port.id, 1, accountId));
    expect(offline).toMatchObject({ type: 'SystemOffline', nonRetryable: true });
    expect(await rowOf(port.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await trail(port.id)).toEqual(['pending']);
    expect(await activities.isSystemOnline(system)).toBe(false);

    await deps.simulator.setOffline(system, false);
    await deps.simulator.injectFault('RESERVE_ACCESS_PORT', 1, 'error', accountId);
    const refused = await rejection(attempt(port.id, 1, accountId));
    expect(refused).toMatchObject({ type: 'DownstreamError', nonRetryable: true });
    expect(refused.message).toMatch(/injected fault on RESERVE_ACCESS_PORT/);
    expect(await rowOf(port.id)).toMatchObject({ state: 'failed', attempts: 1 });
    // The next attempt, under its own key, goes through.
    await attempt(port.id, 2, accountId);
    expect(await trail(port.id)).toEqual(['pending', 'running', 'failed', 'running', 'completed']);

    const missing = await rejection(attempt(`${orderId}-S01-D09-T09`, 1, accountId));
    expect(missing).toMatchObject({ type: 'NotFound', nonRetryable: true });
  });

  it("records a person's task dispatched, failed and completed once each, keeping the first completion", async () => {
    const { orderId } = await decomposedOrder();
    const visit = await taskOf(db, orderId, 'INSTALL_NTU');

    await activities.dispatchWorkItem(visit.id, 0);
    await activities.dispatchWorkItem(visit.id, 0);
    const dispatched = await rowOf(visit.id);
    expect(dispatched.result).toMatchObject({
      workOrder: `WO-${visit.id}`,
      appointment: expect.stringMatching(/T08:00:00/),
    });

    const failure = { by: 'technician-17', reason: 'no access to the basement' };
    await activities.recordTaskFatallyFailed(visit.id, failure, 0);
    await activities.recordTaskFatallyFailed(visit.id, failure, 0);
    expect(await rowOf(visit.id)).toMatchObject({ state: 'fatallyFailed', note: failure.reason });

    // A second round after a fall-out's retry: dispatched again, and completed once.
    await activities.dispatchWorkItem(visit.id, 1);
    await activities.recordTaskCompleted(visit.id, { by: 'technician-17', data: { ntuSerial: 'NTU-1' } });
    const completed = await rowOf(visit.id);
    await activities.recordTaskCompleted(visit.id, { by: 'technician-99', data: { ntuSerial: 'NTU-2' } });
    expect(await rowOf(visit.id)).toEqual(completed);
    expect(completed).toMatchObject({
      state: 'completed',
      completedBy: 'technician-17',
      result: { workOrder: `WO-${visit.id}`, ntuSerial: 'NTU-1' },
    });
    expect(await trail(visit.id)).toEqual(['pending', 'running', 'fatallyFailed', 'running', 'completed']);
  });
});
