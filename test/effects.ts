/**
 * What every fault test checks once the order has ended: each side effect of the order exactly once,
 * counted in the records themselves (downstream calls, inventory, services, CMDB items, audit events).
 */
import { asc, eq, like } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Db } from '../db/client';
import {
  auditEvents,
  configurationItems,
  productInventory,
  serviceInventory,
  simulatorCalls,
  tasks,
} from '../db/schema';

export interface ExpectedEffects {
  /** Product inventory records of the order, and the state each ends in. */
  products: number;
  productState: 'active' | 'cancelled';
  /** Services in the service inventory (one per completed domain order). */
  services: number;
  /** CMDB configuration items (one per service whose specification names a class). */
  configurationItems: number;
  /** Compensating calls downstream (a cancellation's, an abort's); 0 by default. */
  compensations?: number;
}

/**
 * Asserts each effect once and answers the records, for the test's own further checks:
 * - every api task's downstream calls: one per attempt the task counts, each attempt's key once (a
 *   retried or taken-over attempt reuses its key, and the simulator answers it from its record);
 * - no state move recorded twice: one audit event per entity, from-state and to-state (true of an order
 *   with no hold, resume or fall-out round, which a fault test's orders are);
 * - product inventory, services and CMDB items: as many as the order delivered, no more.
 */
export async function expectEffectsOnce(db: Db, orderId: string, expected: ExpectedEffects) {
  const orderTasks = await db.select().from(tasks).where(eq(tasks.orderId, orderId));
  const calls = await db
    .select()
    .from(simulatorCalls)
    .where(like(simulatorCalls.idempotencyKey, `task:${orderId}-%`));
  const callsOf = new Map<string, number>();
  for (const call of calls) {
    const taskId = call.idempotencyKey.slice('task:'.length, call.idempotencyKey.lastIndexOf(':attempt-'));
    callsOf.set(taskId, (callsOf.get(taskId) ?? 0) + 1);
  }
  const apiTasks = orderTasks.filter((t) => t.kind === 'api');
  expect(
    apiTasks.filter((t) => (callsOf.get(t.id) ?? 0) !== t.attempts).map((t) => [t.id, t.attempts]),
    'api tasks whose downstream calls differ from their attempts',
  ).toEqual([]);
  expect(calls).toHaveLength(apiTasks.reduce((n, t) => n + t.attempts, 0));

  const events = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orderId, orderId))
    .orderBy(asc(auditEvents.id));
  const moves = new Map<string, number>();
  for (const e of events) {
    const move = `${e.entityType} ${e.entityId}: ${e.fromState ?? '∅'} → ${e.toState}`;
    moves.set(move, (moves.get(move) ?? 0) + 1);
  }
  expect(
    [...moves].filter(([, n]) => n > 1),
    'state moves recorded more than once',
  ).toEqual([]);

  const compensations = await db
    .select()
    .from(simulatorCalls)
    .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`));
  expect(compensations).toHaveLength(expected.compensations ?? 0);

  const products = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
  expect(products).toHaveLength(expected.products);
  expect(products.filter((p) => p.state !== expected.productState)).toEqual([]);
  const services = await db.select().from(serviceInventory).where(eq(serviceInventory.orderId, orderId));
  expect(services).toHaveLength(expected.services);
  const items = await db.select().from(configurationItems).where(eq(configurationItems.orderId, orderId));
  expect(items).toHaveLength(expected.configurationItems);
  return { tasks: orderTasks, calls, events, compensations, products, services, items };
}
