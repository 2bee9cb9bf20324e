import { and, eq, inArray } from 'drizzle-orm';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import { recordTmfEvents } from '../db/tmf-outbox';
import {
  configurationItems,
  domainOrders,
  orderItems,
  orders,
  productInventory,
  serviceInventory,
  subOrders,
  tasks,
} from '../db/schema';
import { beating, chunks, orderRow } from './order-rows';
import { transition, transitionMany, engineActor } from './transitions';

/** Closure (stage 9): bottom-up, the order last; what was delivered goes live, what was not is rolled back. */
export function closureActivities(db: Db, catalogs: CatalogStore) {
  return {
    /**
     * Closes the order (stage 9), in one transaction. What a completed sub-order delivered goes live:
     * its product inventory `active` with billing started, one service in the service inventory per
     * completed domain order, a CMDB configuration item per service whose specification names a class
     * (related to the customer, the site, the products and the service). The product inventory of a
     * sub-order that did not complete is rolled back to `cancelled`. Then the order's final state.
     */
    async closeOrder(orderId: string, state: string, details?: Record<string, unknown>): Promise<void> {
      const order = await orderRow(db, orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const classOf = new Map(catalog.specifications.map((s) => [s.code, s.ciClass]));
      await beating(() =>
        db.transaction(async (tx) => {
          const [current] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
          if (current.completedAt) return; // closed by an earlier attempt
          const now = new Date().toISOString();
          const subs = await tx.select().from(subOrders).where(eq(subOrders.orderId, orderId));
          const siteOf = new Map(subs.map((s) => [s.id, s]));
          const delivered = new Set(subs.filter((s) => s.state === 'completed').map((s) => s.id));
          const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId));
          const subOrderOfItem = new Map(items.map((i) => [i.id, i.subOrderId]));
          const inventory = await tx
            .select()
            .from(productInventory)
            .where(eq(productInventory.orderId, orderId));
          // Set-based, a few statements per chunk: closing a 10,000-site order is not 10,000 round trips.
          const isLive = (item: (typeof inventory)[number]) =>
            delivered.has(subOrderOfItem.get(item.orderItemId)!);
          const actor = engineActor();
          await transitionMany(
            tx,
            'productInventory',
            inventory.map((item) => {
              const live = isLive(item);
              return {
                id: item.id,
                to: live ? 'active' : 'cancelled',
                eventKey: `productInventory:${item.id}:${live ? 'active' : 'cancelled'}`,
                actor,
                details: live ? { billingStarted: now } : { reason: `order ${state}` },
              };
            }),
          );
          for (const batch of chunks(inventory.filter(isLive).map((item) => item.id)))
            await tx
              .update(productInventory)
              .set({ activatedAt: now, billingStartedAt: now })
              .where(inArray(productInventory.id, batch));
          const inventoryOf = new Map(inventory.map((p) => [p.orderItemId, p.id]));
          const done = (
            await tx
              .select()
              .from(domainOrders)
              .where(and(eq(domainOrders.orderId, orderId), eq(domainOrders.state, 'completed')))
          ).filter((d) => delivered.has(d.subOrderId));
          const results = await tx
            .select({ domainOrderId: tasks.domainOrderId, code: tasks.code, result: tasks.result })
            .from(tasks)
            .where(eq(tasks.orderId, orderId));
          const resultsOf = new Map<string, typeof results>();
          for (const r of results)
            resultsOf.set(r.domainOrderId, [...(resultsOf.get(r.domainOrderId) ?? []), r]);
          const services = done.map((d) => ({
            id: `SI-${d.id}`,
            orderId,
            domainOrderId: d.id,
            accountId: order.accountId,
            serviceAccountId: siteOf.get(d.subOrderId)!.serviceAccountId,
            specCode: d.specCode,
            domain: d.domain,
            productInventoryIds: d.orderItemIds.map((i) => inventoryOf.get(i)!).filter(Boolean),
            state: 'active' as const,
            characteristics: Object.fromEntries(
              (resultsOf.get(d.id) ?? [])
                .filter((r) => r.result)
                .map((r) => [r.code, (r.result as { reference?: string }).reference ?? r.result]),
            ),
          }));
          for (const batch of chunks(services)) {
            await tx.insert(serviceInventory).values(batch);
            await recordTmfEvents(
              tx,
              batch.map((service) => ({
                eventType: 'ServiceCreateEvent',
                orderId,
                resourceId: service.id,
                state: service.state,
              })),
            );
          }
          const serviceOf = new Map(services.map((s) => [s.domainOrderId, s]));
          const configuration = done
            .filter((d) => classOf.get(d.specCode))
            .map((d) => {
              const service = serviceOf.get(d.id)!;
              return {
                id: `CI-${d.id}`,
                orderId,
                ciClass: classOf.get(d.specCode)!,
                name: `${classOf.get(d.specCode)} ${siteOf.get(d.subOrderId)!.name}`,
                customerAccountId: order.accountId,
                siteAccountId: service.serviceAccountId,
                productInventoryIds: service.productInventoryIds,
                serviceInventoryId: service.id,
                attributes: { specCode: d.specCode, domain: d.domain, ...service.characteristics },
              };
            });
          for (const batch of chunks(configuration)) await tx.insert(configurationItems).values(batch);
          await transition(tx, {
            entity: 'order',
            id: orderId,
            to: state,
            eventKey: `order:${orderId}:closed`,
            actor: engineActor(),
            details,
          });
          await tx.update(orders).set({ completedAt: now }).where(eq(orders.id, orderId));
        }),
      );
    },
  };
}
