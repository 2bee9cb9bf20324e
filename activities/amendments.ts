import { and, eq } from 'drizzle-orm';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import {
  auditEvents,
  domainOrders,
  orderAmendments,
  orderItems,
  orders,
  subOrders,
  tasks,
} from '../db/schema';
import { decomposeOrder } from '../domain/decompose';
import type { AmendmentEffects } from '../workflows/contracts';
import { storePlan, storeProductInventory } from './plan-store';
import { transition, engineActor } from './transitions';

/** Applies a recorded amendment to the plan of its running order (the order workflow has frozen it). */
export function amendmentActivities(db: Db, catalogs: CatalogStore) {
  return {
    /**
     * In one transaction: modified items take their new characteristics (tasks still to run use them);
     * removed items are marked removed, their inventory cancelled, and the domain orders left with no
     * item are retired (their tasks not yet started `superseded`); new items are decomposed into domain
     * orders and tasks with their planned dates, and get their product inventory. Returns what the
     * workflow has to do: start new sub-orders, retire running domain orders, drop sub-orders not started.
     */
    async applyAmendment(amendmentId: string, minuteMs: number): Promise<AmendmentEffects> {
      const amendment = await db.query.orderAmendments.findFirst({
        where: eq(orderAmendments.id, amendmentId),
      });
      if (!amendment) throw new Error(`Amendment ${amendmentId} is not visible yet`);
      if (amendment.effects) return amendment.effects as AmendmentEffects;
      const { orderId } = amendment;
      const changes = amendment.changes as {
        modify: { orderItemId: string; characteristics: Record<string, unknown> }[];
        remove: { orderItemId: string }[];
      };
      const order = (await db.query.orders.findFirst({ where: eq(orders.id, orderId) }))!;
      const catalog = await catalogs.get(order.catalogVersion);
      return db.transaction(async (tx) => {
        const audit = (
          entityType: string,
          entityId: string,
          toState: string,
          details: Record<string, unknown>,
        ) =>
          tx
            .insert(auditEvents)
            .values({
              eventKey: `${entityType}:${entityId}:${amendmentId}`,
              orderId,
              entityType,
              entityId,
              toState,
              actor: engineActor(),
              details: { amendmentId, ...details },
            })
            .onConflictDoNothing();
        const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId));
        for (const change of changes.modify) {
          const item = items.find((i) => i.id === change.orderItemId)!;
          const characteristics = { ...item.characteristics, ...change.characteristics };
          await tx
            .update(orderItems)
            .set({ characteristics, version: item.version + 1 })
            .where(eq(orderItems.id, item.id));
          await audit('orderItem', item.id, 'modified', { characteristics, version: item.version + 1 });
        }
        const removed = new Set(changes.remove.map((r) => r.orderItemId));
        for (const id of removed) {
          const item = items.find((i) => i.id === id)!;
          await tx
            .update(orderItems)
            .set({ status: 'removed', version: item.version + 1 })
            .where(eq(orderItems.id, id));
          await audit('orderItem', id, 'removed', {});
          await transition(tx, {
            entity: 'productInventory',
            id: `PI-${id}`,
            to: 'cancelled',
            eventKey: `productInventory:PI-${id}:removed`,
            actor: engineActor(),
            details: { amendmentId },
          });
        }
        const active = new Set(
          items.filter((i) => i.status === 'active' && !removed.has(i.id)).map((i) => i.id),
        );
        const existing = await tx.select().from(domainOrders).where(eq(domainOrders.orderId, orderId));
        const retired = existing.filter(
          (d) =>
            d.state !== 'cancelled' &&
            d.orderItemIds.some((id) => removed.has(id)) &&
            !d.orderItemIds.some((id) => active.has(id)),
        );
        for (const d of retired) {
          await transition(tx, {
            entity: 'domainOrder',
            id: d.id,
            to: 'cancelled',
            eventKey: `domainOrder:${d.id}:retired:${amendmentId}`,
            actor: engineActor(),
            details: { amendmentId, reason: 'its items were removed' },
          });
          const notStarted = await tx
            .select({ id: tasks.id })
            .from(tasks)
            .where(and(eq(tasks.domainOrderId, d.id), eq(tasks.state, 'pending')));
          for (const t of notStarted)
            await transition(tx, {
              entity: 'task',
              id: t.id,
              to: 'superseded',
              eventKey: `task:${t.id}:superseded:${amendmentId}`,
              actor: engineActor(),
              details: { amendmentId },
            });
        }
        const subs = await tx.select().from(subOrders).where(eq(subOrders.orderId, orderId));
        const removedSubOrderIds = subs
          .filter(
            (s) =>
              items.some((i) => i.subOrderId === s.id) &&
              !items.some((i) => i.subOrderId === s.id && active.has(i.id)),
          )
          .map((s) => s.id);

        // New sites: decomposed like an order of their own, with the catalog version of the order.
        const added = items.filter((i) => i.amendmentId === amendmentId);
        const plan = decomposeOrder(added, catalog);
        const start = Date.now();
        const at = (minutes: number) => new Date(start + minutes * minuteMs).toISOString();
        await storePlan(tx, orderId, plan, at);
        await storeProductInventory(
          tx,
          order,
          added,
          (item) => subs.find((s) => s.id === item.subOrderId)!.serviceAccountId,
        );
        const effects: AmendmentEffects = {
          newSubOrderIds: plan.subOrderIds,
          retiredDomainOrderIds: retired.map((d) => d.id),
          removedSubOrderIds,
        };
        await tx.update(orderAmendments).set({ effects }).where(eq(orderAmendments.id, amendmentId));
        return effects;
      });
    },

    async completeAmendment(amendmentId: string): Promise<void> {
      await db.update(orderAmendments).set({ state: 'completed' }).where(eq(orderAmendments.id, amendmentId));
    },
  };
}
