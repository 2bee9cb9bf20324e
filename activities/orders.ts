import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  auditEvents,
  domainOrders,
  orderItems,
  orders,
  productInventory,
  subOrders,
  tasks,
} from '../db/schema';
import { decomposeOrder as decompose } from '../domain/decompose';
import type { CatalogStore } from './catalog-store';
import { transition, type Transition } from './transitions';

export interface DomainOrderPlan {
  id: string;
  domain: string;
  specCode: string;
  dependsOn: string[];
}

export interface TaskPlan {
  id: string;
  code: string;
  kind: 'api' | 'manual' | 'field' | 'project';
  dependsOn: string[];
  retry: { maxAttempts: number; backoffSeconds: number[] };
}

const CHUNK = 500;
function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function orderActivities(db: Db, catalogs: CatalogStore) {
  async function orderRow(orderId: string) {
    const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
    // Retryable on purpose: the API starts the order workflow just before its transaction commits, so the
    // first activity may look before the rows are visible. A rolled-back order's workflow is terminated.
    if (!order) throw new Error(`Order ${orderId} is not visible yet`);
    return order;
  }

  return {
    /** Records any state change with its audit event, once per event key. */
    async recordTransition(change: Transition): Promise<boolean> {
      return transition(db, change);
    },

    /** Creates one product inventory record per order item, in state `created` (inactive). */
    async createProductInventory(orderId: string): Promise<number> {
      const order = await orderRow(orderId);
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
      const serviceAccountOf = new Map(subs.map((s) => [s.id, s.serviceAccountId]));
      await db.transaction(async (tx) => {
        for (const batch of chunks(items)) {
          const created = await tx
            .insert(productInventory)
            .values(
              batch.map((item) => ({
                id: `PI-${item.id}`,
                orderId,
                orderItemId: item.id,
                accountId: order.accountId,
                serviceAccountId: serviceAccountOf.get(item.subOrderId)!,
                offeringCode: item.offeringCode,
                state: 'created',
              })),
            )
            .onConflictDoNothing()
            .returning({ id: productInventory.id });
          if (created.length === 0) continue;
          await tx
            .insert(auditEvents)
            .values(
              created.map(({ id }) => ({
                eventKey: `productInventory:${id}:created`,
                orderId,
                entityType: 'productInventory',
                entityId: id,
                fromState: null,
                toState: 'created',
                actor: 'order-workflow',
              })),
            )
            .onConflictDoNothing();
        }
      });
      return items.length;
    },

    /**
     * Decomposes the order with the catalog version it was created with and stores the domain orders and
     * tasks (idempotent: the IDs are deterministic). Returns the sub-orders that have work to do.
     */
    async decomposeOrder(
      orderId: string,
    ): Promise<{ subOrderIds: string[]; domainOrders: number; tasks: number }> {
      const order = await orderRow(orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const items = await db
        .select()
        .from(orderItems)
        .where(eq(orderItems.orderId, orderId))
        .orderBy(asc(orderItems.id));
      const plan = decompose(items, catalog);
      await db.transaction(async (tx) => {
        for (const batch of chunks(plan.domainOrders)) {
          const created = await tx
            .insert(domainOrders)
            .values(batch.map((d) => ({ ...d, orderId, state: 'acknowledged' })))
            .onConflictDoNothing()
            .returning({ id: domainOrders.id });
          await auditCreated(
            tx,
            orderId,
            'domainOrder',
            created.map((c) => c.id),
            'acknowledged',
          );
        }
        for (const batch of chunks(plan.tasks)) {
          const created = await tx
            .insert(tasks)
            .values(batch.map((t) => ({ ...t, orderId, state: 'pending' })))
            .onConflictDoNothing()
            .returning({ id: tasks.id });
          await auditCreated(
            tx,
            orderId,
            'task',
            created.map((c) => c.id),
            'pending',
          );
        }
      });
      const subOrderIds = [...new Set(plan.domainOrders.map((d) => d.subOrderId))];
      return { subOrderIds, domainOrders: plan.domainOrders.length, tasks: plan.tasks.length };
    },

    async loadSubOrderPlan(subOrderId: string): Promise<DomainOrderPlan[]> {
      return db
        .select({
          id: domainOrders.id,
          domain: domainOrders.domain,
          specCode: domainOrders.specCode,
          dependsOn: domainOrders.dependsOn,
        })
        .from(domainOrders)
        .where(eq(domainOrders.subOrderId, subOrderId))
        .orderBy(asc(domainOrders.id));
    },

    async loadDomainOrderPlan(domainOrderId: string): Promise<TaskPlan[]> {
      const rows = await db
        .select()
        .from(tasks)
        .where(eq(tasks.domainOrderId, domainOrderId))
        .orderBy(asc(tasks.id));
      if (rows.length === 0) return [];
      const order = await orderRow(rows[0].orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const templates = new Map(catalog.specifications.flatMap((s) => s.tasks).map((t) => [t.code, t]));
      return rows.map((t) => ({
        id: t.id,
        code: t.code,
        kind: t.kind,
        dependsOn: t.dependsOn,
        retry: templates.get(t.code)?.retry ?? { maxAttempts: 1, backoffSeconds: [] },
      }));
    },

    /** Closes the order: on success its product inventory becomes active, then the order `completed`. */
    async closeOrder(orderId: string, state: string): Promise<void> {
      if (state === 'completed') {
        const inventory = await db
          .select({ id: productInventory.id, state: productInventory.state })
          .from(productInventory)
          .where(eq(productInventory.orderId, orderId));
        for (const item of inventory) {
          await transition(db, {
            entity: 'productInventory',
            id: item.id,
            to: 'active',
            eventKey: `productInventory:${item.id}:active`,
            actor: 'order-workflow',
          });
        }
        if (inventory.length > 0)
          await db
            .update(productInventory)
            .set({ activatedAt: new Date().toISOString() })
            .where(
              inArray(
                productInventory.id,
                inventory.map((i) => i.id),
              ),
            );
      }
      await transition(db, {
        entity: 'order',
        id: orderId,
        to: state,
        eventKey: `order:${orderId}:closed`,
        actor: 'order-workflow',
      });
      await db.update(orders).set({ completedAt: new Date().toISOString() }).where(eq(orders.id, orderId));
    },
  };
}

async function auditCreated(
  tx: Parameters<Parameters<Db['transaction']>[0]>[0],
  orderId: string,
  entityType: string,
  ids: string[],
  state: string,
): Promise<void> {
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
        actor: 'decomposition',
      })),
    )
    .onConflictDoNothing();
}
