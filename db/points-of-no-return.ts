import { and, eq, inArray } from 'drizzle-orm';
import type { PointOfNoReturn } from '../domain/point-of-no-return';
import type { Db } from './client';
import { domainOrders, orderItems, tasks } from './schema';

/**
 * The tasks past their point of no return: completed, or in flight to a system that cannot take them back
 * (a circuit ordered from a carrier), each with the items of its bundle. With `itemIds`, only the bundles
 * of those items. Read by the cancellation assessment and by the API before it records an amendment.
 */
export async function pointsOfNoReturnPassed(
  db: Db,
  orderId: string,
  itemIds?: string[],
): Promise<PointOfNoReturn[]> {
  const passed = await db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.orderId, orderId),
        eq(tasks.pointOfNoReturn, true),
        inArray(tasks.state, ['completed', 'running']),
      ),
    );
  if (passed.length === 0) return [];
  const bundles = await db
    .select()
    .from(domainOrders)
    .where(inArray(domainOrders.id, [...new Set(passed.map((t) => t.domainOrderId))]));
  const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
  return passed
    .map((t) => ({ task: t, bundle: bundles.find((d) => d.id === t.domainOrderId)!.orderItemIds }))
    .filter(({ bundle }) => !itemIds || bundle.some((id) => itemIds.includes(id)))
    .map(({ task, bundle }) => ({
      taskId: task.id,
      code: task.code,
      state: task.state,
      items: bundle.map((id) => `${id} (${items.find((i) => i.id === id)?.offeringCode})`),
    }));
}
