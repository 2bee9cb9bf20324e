import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditEvents, domainOrders, orders, tasks } from '../db/schema';
import { recordTmfEvents } from '../db/tmf-outbox';
import { jeopardyLevels, type JeopardyLevel } from '../workflows/contracts';
import { rowsOf, engineActor } from './transitions';

/** Jeopardy (DESIGN.md: a task running late raises its level, and the risk rolls forward to its successors). */
export function jeopardyActivities(db: Db) {
  return {
    /**
     * A running task is late: raises its jeopardy, rolls the risk forward to every task after it (in this
     * domain order and beyond), and raises its domain order's and order's level; each change recorded.
     * Returns the levels of the domain order and of the order after the change.
     */
    async raiseJeopardy(
      taskId: string,
      level: JeopardyLevel,
    ): Promise<{ domainOrder: JeopardyLevel; order: JeopardyLevel }> {
      return db.transaction(async (tx) => {
        const [task] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
        const below = jeopardyLevels.slice(0, jeopardyLevels.indexOf(level));
        // Successors: tasks that depend on it, and every task of a domain order that depends on its domain
        // order; then theirs, and so on.
        const successors = rowsOf<{ id: string }>(
          await tx.execute(sql`
            with recursive after(id, domain_order_id) as (
              select t.id, t.domain_order_id from tasks t join domain_orders d on d.id = t.domain_order_id
              where t.order_id = ${task.orderId}
                and (${taskId} = any(t.depends_on) or ${task.domainOrderId} = any(d.depends_on))
              union
              select t.id, t.domain_order_id from tasks t
                join domain_orders d on d.id = t.domain_order_id
                join after a on a.id = any(t.depends_on) or a.domain_order_id = any(d.depends_on)
              where t.order_id = ${task.orderId}
            ) select id from after`),
        ).map((r) => r.id);
        const raised = await tx
          .update(tasks)
          .set({ jeopardy: level })
          .where(and(inArray(tasks.id, [taskId, ...successors]), inArray(tasks.jeopardy, below)))
          .returning({ id: tasks.id, domainOrderId: tasks.domainOrderId });
        if (raised.length > 0) {
          await tx
            .insert(auditEvents)
            .values(
              raised.map((r) => ({
                eventKey: `jeopardy:${r.id}:${level}`,
                orderId: task.orderId,
                entityType: 'jeopardy',
                entityId: r.id,
                toState: level,
                actor: engineActor(),
                details: r.id === taskId ? { late: true } : { rolledForwardFrom: taskId },
              })),
            )
            .onConflictDoNothing();
          const domainOrderIds = [...new Set(raised.map((r) => r.domainOrderId))];
          await tx
            .update(domainOrders)
            .set({ jeopardy: level })
            .where(and(inArray(domainOrders.id, domainOrderIds), inArray(domainOrders.jeopardy, below)));
          const raisedOrder = await tx
            .update(orders)
            .set({ jeopardy: level })
            .where(and(eq(orders.id, task.orderId), inArray(orders.jeopardy, below)))
            .returning({ id: orders.id });
          if (raisedOrder.length > 0)
            await recordTmfEvents(tx, [
              { eventType: 'ProductOrderJeopardyAlertEvent', orderId: task.orderId, description: level },
              {
                eventType: 'ProductOrderAttributeValueChangeEvent',
                orderId: task.orderId,
                fieldPath: ['jeopardy'],
              },
            ]);
        }
        const [domainOrder] = await tx
          .select({ jeopardy: domainOrders.jeopardy })
          .from(domainOrders)
          .where(eq(domainOrders.id, task.domainOrderId));
        const [order] = await tx
          .select({ jeopardy: orders.jeopardy })
          .from(orders)
          .where(eq(orders.id, task.orderId));
        return { domainOrder: domainOrder.jeopardy, order: order.jeopardy };
      });
    },
  };
}
