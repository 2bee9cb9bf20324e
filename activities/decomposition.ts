import { and, asc, eq, inArray } from 'drizzle-orm';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import { domainOrders, orderItems, orders, tasks } from '../db/schema';
import { recordTmfEvents } from '../db/tmf-outbox';
import { decomposeOrder as decompose } from '../domain/decompose';
import type { DomainOrderPlan, DomainOrderStart, OrderPlan, TaskOutcome } from '../workflows/contracts';
import { beating, orderRow } from './order-rows';
import { storePlan } from './plan-store';
import { transition, engineActor } from './transitions';

/** Task states that end a task's run, and the outcome each gives the tasks waiting on it. */
const outcomeOfState: Record<string, TaskOutcome> = {
  completed: 'completed',
  skipped: 'skipped',
  cancelled: 'cancelled',
  fatallyFailed: 'failed',
};

/**
 * Decomposition (stage 6): the order's plan, made once from the catalog version the order was created
 * with and stored; then read back by each sub-order and domain order as it starts.
 */
export function decompositionActivities(db: Db, catalogs: CatalogStore) {
  return {
    /**
     * Decomposes the order with the catalog version it was created with and stores the domain orders,
     * tasks, edges and planned dates (idempotent: IDs are deterministic and the first plan stays).
     * A planned minute lasts `minuteMs` on the clock (shorter in tests and demos).
     */
    async decomposeOrder(orderId: string, minuteMs: number): Promise<OrderPlan> {
      const order = await orderRow(db, orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const plan = decompose(items, catalog);
      const start = Date.now();
      const at = (minutes: number) => new Date(start + minutes * minuteMs).toISOString();
      const plannedCompletion = at(plan.dueMinutes);
      const dueDate = order.requestedCompletionDate ?? plannedCompletion;

      await beating(() =>
        db.transaction(async (tx) => {
          const [current] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
          if (current.plannedCompletionDate) return; // decomposed by an earlier attempt
          await storePlan(tx, orderId, plan, at);
          await tx
            .update(orders)
            .set({ dueDate, plannedCompletionDate: plannedCompletion })
            .where(eq(orders.id, orderId));
          await recordTmfEvents(tx, [
            {
              eventType: 'ProductOrderAttributeValueChangeEvent',
              orderId,
              fieldPath: ['expectedCompletionDate'],
            },
          ]);
        }),
      );
      return {
        subOrderIds: plan.subOrderIds,
        domainOrders: plan.domainOrders.length,
        tasks: plan.tasks.length,
        dueDate,
      };
    },

    /** Marks the sub-order `inProgress` and returns its domain orders with their edges. */
    async startSubOrder(subOrderId: string, eventKey: string): Promise<DomainOrderPlan[]> {
      await transition(db, {
        entity: 'subOrder',
        id: subOrderId,
        to: 'inProgress',
        eventKey,
        actor: engineActor(),
      });
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

    /**
     * Marks the domain order `inProgress` and returns its task plan, with what the catalog says of each
     * task, and the tasks of other domain orders it waits on that have already finished.
     */
    async startDomainOrder(domainOrderId: string, eventKey: string): Promise<DomainOrderStart> {
      const [current] = await db
        .select({ state: domainOrders.state, catalogVersion: orders.catalogVersion })
        .from(domainOrders)
        .innerJoin(orders, eq(orders.id, domainOrders.orderId))
        .where(eq(domainOrders.id, domainOrderId));
      if (current?.state === 'cancelled') return { retired: true, tasks: [], settled: {} };
      await transition(db, {
        entity: 'domainOrder',
        id: domainOrderId,
        to: 'inProgress',
        eventKey,
        actor: engineActor(),
      });
      const rows = await db
        .select()
        .from(tasks)
        .where(eq(tasks.domainOrderId, domainOrderId))
        .orderBy(asc(tasks.id));
      if (rows.length === 0) return { retired: false, tasks: [], settled: {} };
      const catalog = await catalogs.get(current.catalogVersion);
      const templates = new Map(catalog.specifications.flatMap((s) => s.tasks).map((t) => [t.code, t]));
      const own = new Set(rows.map((t) => t.id));
      const external = [...new Set(rows.flatMap((t) => [...t.dependsOn, ...t.throttledAfter]))].filter(
        (id) => !own.has(id),
      );
      const settled: Record<string, TaskOutcome> = {};
      if (external.length > 0) {
        const finished = await db
          .select({ id: tasks.id, state: tasks.state })
          .from(tasks)
          .where(and(inArray(tasks.id, external), inArray(tasks.state, Object.keys(outcomeOfState))));
        for (const t of finished) settled[t.id] = outcomeOfState[t.state];
      }
      return {
        retired: false,
        tasks: rows.map((t) => ({
          id: t.id,
          code: t.code,
          kind: t.kind,
          dependsOn: t.dependsOn,
          throttledAfter: t.throttledAfter,
          notifies: t.notifies,
          plannedMinutes: t.plannedMinutes,
          retry: templates.get(t.code)?.retry ?? { maxAttempts: 1, backoffSeconds: [] },
          milestones: templates.get(t.code)?.milestones ?? [],
          system: t.system,
          mandatory: templates.get(t.code)?.mandatory ?? false,
          pointOfNoReturn: t.pointOfNoReturn,
        })),
        settled,
      };
    },
  };
}
