import { and, desc, eq, notInArray, type SQL } from 'drizzle-orm';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import { pointsOfNoReturnPassed } from '../db/points-of-no-return';
import { domainOrders, orders, productInventory, subOrders, tasks } from '../db/schema';
import type { PointOfNoReturn } from '../domain/point-of-no-return';
import type { DownstreamSimulator } from '../downstream/simulator';
import type { Compensation } from '../workflows/contracts';
import { beating } from './order-rows';
import { transition, engineActor, transitionMany } from './transitions';

/** Cancellation (DESIGN.md, "what the best order managers do"): assessed, then compensated, then closed. */
export function cancellationActivities(db: Db, catalogs: CatalogStore, simulator: DownstreamSimulator) {
  /** Completed tasks (of the scope given) whose catalog entry has a compensating action, latest first. */
  async function completedWork(
    orderId: string,
    scope: SQL,
    keep: (task: typeof tasks.$inferSelect) => boolean = () => true,
  ): Promise<Compensation[]> {
    const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
    const catalog = await catalogs.get(order!.catalogVersion);
    const templates = new Map(catalog.specifications.flatMap((s) => s.tasks).map((t) => [t.code, t]));
    const done = await db
      .select()
      .from(tasks)
      .where(and(scope, eq(tasks.state, 'completed')))
      .orderBy(desc(tasks.completedAt), desc(tasks.id));
    return done
      .filter((t) => templates.get(t.code)?.compensation && keep(t))
      .map((t) => ({
        taskId: t.id,
        code: t.code,
        action: templates.get(t.code)!.compensation!,
        system: t.system ?? (t.kind === 'field' ? 'field-service' : 'back-office'),
      }));
  }

  return {
    /**
     * The tasks past their point of no return: completed, or in flight to a system that cannot take them
     * back (a circuit ordered from a carrier). Any one of them refuses the cancellation.
     */
    async assessCancellation(orderId: string): Promise<PointOfNoReturn[]> {
      return pointsOfNoReturnPassed(db, orderId);
    },

    /** Completed work to undo, latest first: the reverse of the order it was done in, so of its dependencies. */
    async compensationPlan(orderId: string, incompleteSubOrdersOnly = false): Promise<Compensation[]> {
      const kept = new Set<string>();
      if (incompleteSubOrdersOnly) {
        const delivered = await db
          .select({ id: domainOrders.id })
          .from(domainOrders)
          .innerJoin(subOrders, eq(subOrders.id, domainOrders.subOrderId))
          .where(and(eq(domainOrders.orderId, orderId), eq(subOrders.state, 'completed')));
        for (const d of delivered) kept.add(d.id);
      }
      return completedWork(orderId, eq(tasks.orderId, orderId), (t) => !kept.has(t.domainOrderId));
    },

    /** The completed work of a domain order an amendment retired, latest first. */
    async retiredWork(domainOrderId: string): Promise<Compensation[]> {
      const [d] = await db.select().from(domainOrders).where(eq(domainOrders.id, domainOrderId));
      return completedWork(d.orderId, eq(tasks.domainOrderId, domainOrderId));
    },

    /** Runs one compensating action against the task's system, once (keyed by the task), and records it. */
    async compensateTask(compensation: Compensation, customerId: string): Promise<{ reference: string }> {
      const response = await simulator.call({
        system: compensation.system,
        operation: compensation.action,
        taskCode: compensation.action,
        accountId: customerId,
        idempotencyKey: `compensate:${compensation.taskId}`,
      });
      await transition(db, {
        entity: 'task',
        id: compensation.taskId,
        to: 'cancelled',
        eventKey: `task:${compensation.taskId}:compensated`,
        actor: engineActor(),
        details: { compensation: compensation.action, reference: response.reference },
      });
      return { reference: response.reference };
    },

    /**
     * Closes a cancelled order in one transaction: every task, domain order and sub-order not yet final
     * becomes `cancelled`, the product inventory is rolled back to `cancelled`, then the order.
     */
    async closeCancelled(orderId: string, reason: string): Promise<void> {
      await beating(() =>
        db.transaction(async (tx) => {
          const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
          if (order.state === 'cancelled') return;
          const open = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id);
          const final = ['completed', 'cancelled', 'failed', 'skipped', 'superseded'];
          const entities = [
            [
              'task',
              await tx
                .select({ id: tasks.id })
                .from(tasks)
                .where(and(eq(tasks.orderId, orderId), notInArray(tasks.state, final))),
            ],
            [
              'domainOrder',
              await tx
                .select({ id: domainOrders.id })
                .from(domainOrders)
                .where(and(eq(domainOrders.orderId, orderId), notInArray(domainOrders.state, ['cancelled']))),
            ],
            [
              'subOrder',
              await tx
                .select({ id: subOrders.id })
                .from(subOrders)
                .where(and(eq(subOrders.orderId, orderId), notInArray(subOrders.state, ['cancelled']))),
            ],
            [
              'productInventory',
              await tx
                .select({ id: productInventory.id })
                .from(productInventory)
                .where(eq(productInventory.orderId, orderId)),
            ],
          ] as const;
          // Set-based: a few statements per chunk of rows, whatever the order's size.
          const actor = engineActor();
          for (const [entity, rows] of entities)
            await transitionMany(
              tx,
              entity,
              open(rows).map((id) => ({ id, to: 'cancelled', eventKey: `${entity}:${id}:cancelled`, actor })),
            );
          await transition(tx, {
            entity: 'order',
            id: orderId,
            to: 'cancelled',
            eventKey: `order:${orderId}:closed`,
            actor: engineActor(),
            details: { reason },
          });
          await tx
            .update(orders)
            .set({ completedAt: new Date().toISOString() })
            .where(eq(orders.id, orderId));
        }),
      );
    },
  };
}
