import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tasks } from '../db/schema';
import { transition } from './transitions';

/** Work that will never run because something it depends on did not complete: recorded `cancelled`. */
export function unrunWorkActivities(db: Db) {
  return {
    /** Records as `cancelled` the tasks that never ran because something they depend on did not complete. */
    async cancelTasks(taskIds: string[], actor: string): Promise<void> {
      await db.transaction(async (tx) => {
        for (const id of taskIds) {
          await transition(tx, {
            entity: 'task',
            id,
            to: 'cancelled',
            eventKey: `task:${id}:not-run`,
            actor,
            details: { reason: 'something it depends on did not complete' },
          });
        }
      });
    },

    /**
     * Records as `cancelled` the domain orders that never ran because one they depend on did not
     * complete, and their tasks. Returns the tasks other domain orders wait on, to tell them.
     */
    async cancelDomainOrders(
      domainOrderIds: string[],
      actor: string,
    ): Promise<{ taskId: string; notifies: string[] }[]> {
      const awaited: { taskId: string; notifies: string[] }[] = [];
      await db.transaction(async (tx) => {
        for (const id of domainOrderIds) {
          await transition(tx, {
            entity: 'domainOrder',
            id,
            to: 'cancelled',
            eventKey: `domainOrder:${id}:not-run`,
            actor,
            details: { reason: 'a domain order it depends on did not complete' },
          });
          const own = await tx
            .select({ id: tasks.id, notifies: tasks.notifies })
            .from(tasks)
            .where(eq(tasks.domainOrderId, id));
          for (const t of own) {
            if (t.notifies.length > 0) awaited.push({ taskId: t.id, notifies: t.notifies });
            await transition(tx, {
              entity: 'task',
              id: t.id,
              to: 'cancelled',
              eventKey: `task:${t.id}:not-run`,
              actor,
              details: { reason: 'its domain order did not run' },
            });
          }
        }
      });
      return awaited;
    },
  };
}
