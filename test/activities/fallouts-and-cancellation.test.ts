import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities, type Activities } from '../../activities';
import { openDatabase, type Database, type Db } from '../../db/client';
import { falloutCases, orders, productInventory, simulatorCalls, tasks } from '../../db/schema';
import type { FalloutInput } from '../../workflows/contracts';
import { activityDeps } from '../activity-deps';
import { auditOf, seedOrder, taskOf } from './seed';

let database: Database;
let db: Db;
let activities: Activities;
beforeAll(async () => {
  database = await openDatabase(inject('databaseUrl'));
  db = database.db;
  activities = createActivities(activityDeps(db));
});
afterAll(async () => {
  await database?.close();
});

async function decomposedOrder() {
  const seeded = await seedOrder(db, [{ ref: 'ham', name: 'Hamburg HQ', offeringCode: 'DIA_1G' }]);
  await activities.createProductInventory(seeded.orderId);
  await activities.decomposeOrder(seeded.orderId, 60_000);
  return seeded;
}
const trail = async (id: string) => (await auditOf(db, id)).map((e) => e.toState);
const taskRow = async (id: string) => (await db.select().from(tasks).where(eq(tasks.id, id)))[0];

describe('fall-out and cancellation activities against the database alone', () => {
  it('opens, escalates, takes and resolves a case once each, completing its task with the data given', async () => {
    const { orderId, accountId } = await decomposedOrder();
    const ipBlock = await taskOf(db, orderId, 'ALLOCATE_IP_BLOCK');
    await activities.recordTaskFatallyFailed(ipBlock.id, { by: 'engine', reason: 'pool exhausted' }, 0);
    const input: FalloutInput = {
      caseId: `FO-${ipBlock.id}-1`,
      taskId: ipBlock.id,
      taskCode: ipBlock.code,
      domainOrderId: ipBlock.domainOrderId,
      orderId,
      customerId: accountId,
      domain: 'network',
      type: 'inventory',
      priority: 'medium',
      assignmentGroups: ['inventory-management', 'inventory-tier2', 'order-management-escalations'],
      escalateAfterMs: 4 * 3600 * 1000,
      mandatory: true,
      reason: 'pool exhausted',
    };
    const caseOf = async () =>
      (await db.select().from(falloutCases).where(eq(falloutCases.id, input.caseId)))[0];

    await activities.openFallout(input);
    await activities.openFallout(input);
    expect(await caseOf()).toMatchObject({
      state: 'open',
      assignmentGroup: 'inventory-management',
      escalations: 0,
    });
    await activities.escalateFallout(input.caseId, 'inventory-tier2', 1);
    await activities.escalateFallout(input.caseId, 'inventory-tier2', 1);
    expect(await caseOf()).toMatchObject({
      state: 'open',
      assignmentGroup: 'inventory-tier2',
      escalations: 1,
    });
    await activities.recordFalloutWork(input.caseId, 'inProgress', 'ip-engineer-4', 'freeing a /29', 1);
    await activities.recordFalloutWork(input.caseId, 'inProgress', 'ip-engineer-4', 'freeing a /29', 1);

    const resolution = {
      action: 'complete' as const,
      by: 'ip-engineer-4',
      data: { ipBlock: '198.51.100.0/29' },
    };
    await activities.resolveFallout(input.caseId, ipBlock.id, resolution);
    await activities.resolveFallout(input.caseId, ipBlock.id, { ...resolution, data: { ipBlock: 'other' } });
    expect(await caseOf()).toMatchObject({ state: 'resolved', resolution, resolvedAt: expect.any(String) });
    expect(await trail(input.caseId)).toEqual(['open', 'open', 'inProgress', 'resolved']);
    expect(await taskRow(ipBlock.id)).toMatchObject({
      state: 'completed',
      completedBy: 'ip-engineer-4',
      result: { ipBlock: '198.51.100.0/29', completedFrom: input.caseId },
    });
    expect(await trail(ipBlock.id)).toEqual(['pending', 'fatallyFailed', 'completed']);
  });

  it('names the items past the point of no return, undoes completed work latest first and once each, and closes cancelled once', async () => {
    const { orderId, accountId, itemIds } = await decomposedOrder();
    expect(await activities.assessCancellation(orderId)).toEqual([]);
    const port = await taskOf(db, orderId, 'RESERVE_ACCESS_PORT');
    const circuit = await taskOf(db, orderId, 'ORDER_CARRIER_CIRCUIT');
    await activities.recordTaskCompleted(port.id, { by: 'inventory' });
    await activities.recordTaskCompleted(circuit.id, { by: 'carrier-gateway' });

    expect(await activities.assessCancellation(orderId)).toEqual([
      {
        taskId: circuit.id,
        code: 'ORDER_CARRIER_CIRCUIT',
        state: 'completed',
        items: [`${itemIds[0]} (DIA_1G)`],
      },
    ]);
    const plan = await activities.compensationPlan(orderId);
    expect(plan).toEqual([
      {
        taskId: circuit.id,
        code: 'ORDER_CARRIER_CIRCUIT',
        action: 'CANCEL_CARRIER_ORDER',
        system: 'carrier-gateway',
      },
      { taskId: port.id, code: 'RESERVE_ACCESS_PORT', action: 'RELEASE_ACCESS_PORT', system: 'inventory' },
    ]);

    const undone = await activities.compensateTask(plan[0], accountId);
    expect(await activities.compensateTask(plan[0], accountId)).toEqual(undone);
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`));
    expect(calls.map((c) => [c.idempotencyKey, c.operation])).toEqual([
      [`compensate:${circuit.id}`, 'CANCEL_CARRIER_ORDER'],
    ]);
    expect(await trail(circuit.id)).toEqual(['pending', 'completed', 'cancelled']);

    await activities.closeCancelled(orderId, 'customer withdrew');
    await activities.closeCancelled(orderId, 'customer withdrew');
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(order).toMatchObject({ state: 'cancelled', completedAt: expect.any(String) });
    expect((await auditOf(db, orderId)).map((e) => e.toState)).toEqual(['cancelled']);
    const [item] = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
    expect(item.state).toBe('cancelled');
    // What never ran is cancelled; completed work not yet undone stays completed for its compensation.
    const states = Object.fromEntries(
      (await db.select().from(tasks).where(eq(tasks.orderId, orderId))).map((t) => [t.code, t.state]),
    );
    expect(states).toMatchObject({
      RESERVE_ACCESS_PORT: 'completed',
      ORDER_CARRIER_CIRCUIT: 'cancelled',
      INSTALL_NTU: 'cancelled',
    });
  });
});
