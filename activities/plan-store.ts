import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { recordTmfEvents } from '../db/tmf-outbox';
import { auditEvents, domainOrders, orderItems, productInventory, tasks } from '../db/schema';
import type { Decomposition } from '../domain/decompose';
import { chunks } from './order-rows';
import { engineActor } from './transitions';

/**
 * Stores a decomposition: its domain orders and tasks with their planned dates and creation events, and
 * the sub-orders' due dates. Used for a new order and for the sites an amendment adds.
 */
export async function storePlan(
  tx: Tx,
  orderId: string,
  plan: Decomposition,
  at: (minutes: number) => string,
): Promise<void> {
  for (const batch of chunks(plan.domainOrders)) {
    await tx.insert(domainOrders).values(
      batch.map(({ dueMinutes, ...d }) => ({
        ...d,
        orderId,
        state: 'acknowledged',
        dueDate: at(dueMinutes),
      })),
    );
    await auditCreated(
      tx,
      orderId,
      'domainOrder',
      batch.map((c) => c.id),
      'acknowledged',
    );
    await recordTmfEvents(
      tx,
      batch.map((d) => ({
        eventType: 'ServiceOrderCreateEvent',
        orderId,
        resourceId: d.id,
        state: 'acknowledged',
      })),
    );
  }
  for (const batch of chunks(plan.tasks)) {
    await tx.insert(tasks).values(
      batch.map(({ startMinutes, dueMinutes, ...t }) => ({
        ...t,
        orderId,
        state: 'pending',
        plannedStart: at(startMinutes),
        dueDate: at(dueMinutes),
      })),
    );
    await auditCreated(
      tx,
      orderId,
      'task',
      batch.map((c) => c.id),
      'pending',
    );
  }
  const dues = Object.entries(plan.subOrderDueMinutes).map(([id, m]) => sql`(${id}, ${at(m)})`);
  for (const batch of chunks(dues)) {
    await tx.execute(
      sql`update sub_orders set due_date = v.due::timestamptz from (values ${sql.join(batch, sql`, `)}) as v(id, due) where sub_orders.id = v.id`,
    );
  }
}

/** Product inventory for order items, `created` (inactive), once each, with its creation events. */
export async function storeProductInventory(
  tx: Tx,
  order: { id: string; accountId: string },
  items: (typeof orderItems.$inferSelect)[],
  serviceAccountOf: (item: typeof orderItems.$inferSelect) => string,
): Promise<void> {
  for (const batch of chunks(items)) {
    const created = await tx
      .insert(productInventory)
      .values(
        batch.map((item) => ({
          id: `PI-${item.id}`,
          orderId: order.id,
          orderItemId: item.id,
          accountId: order.accountId,
          serviceAccountId: serviceAccountOf(item),
          offeringCode: item.offeringCode,
          state: 'created',
        })),
      )
      .onConflictDoNothing()
      .returning({ id: productInventory.id });
    await auditCreated(
      tx,
      order.id,
      'productInventory',
      created.map((c) => c.id),
      'created',
    );
    await recordTmfEvents(
      tx,
      created.map((c) => ({
        eventType: 'ProductCreateEvent',
        orderId: order.id,
        resourceId: c.id,
        state: 'created',
      })),
    );
  }
}

/** Records rows the engine created, in one insert; the actor is the workflow whose activity made them. */
async function auditCreated(
  tx: Tx,
  orderId: string,
  entityType: string,
  ids: string[],
  state: string,
): Promise<void> {
  const actor = engineActor();
  if (ids.length === 0) return;
  await tx
    .insert(auditEvents)
    .values(
      ids.map((id) => ({
        eventKey: `${entityType}:${id}:created`,
        orderId,
        entityType,
        entityId: id,
        fromState: null,
        toState: state,
        actor,
      })),
    )
    .onConflictDoNothing();
}
