import { Context } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { orders } from '../db/schema';

/** The order, once its creating transaction is visible. */
export async function orderRow(db: Db, orderId: string) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  // Retryable on purpose: the API starts the order workflow just before its transaction commits, so the
  // first activity may look before the rows are visible. A rolled-back order's workflow is terminated.
  if (!order) throw new Error(`Order ${orderId} is not visible yet`);
  return order;
}

/** Rows in batches small enough for one insert statement each, however large the order. */
export { batches as chunks } from '../db/batches';

/**
 * Runs `work` over `items`, `width` at a time, and heartbeats after each batch: the attempt's duration
 * no longer grows with the size of the order one call at a time, and a crashed worker's attempt is taken
 * over after the heartbeat timeout instead of the whole start-to-close timeout. Each call must be
 * idempotent (a retried attempt runs the batches again; the downstream simulator answers recorded calls
 * from its record).
 */
export async function inBatches<T, R>(
  items: T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
    heartbeat({ done: Math.min(i + width, items.length), of: items.length });
  }
  return results;
}

/**
 * Runs `work` (one transaction over the whole order: decomposition, closure) while heartbeating every
 * 2 seconds, so that a worker that dies mid-way hands the attempt on after the heartbeat timeout (20 s),
 * not the whole start-to-close timeout. The work is idempotent: a retried attempt finds what a committed
 * one did; an uncommitted one left nothing.
 */
export async function beating<T>(work: () => Promise<T>): Promise<T> {
  heartbeat(undefined);
  const beat = setInterval(() => heartbeat(undefined), 2_000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

function heartbeat(details: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return; // called outside an activity (a test of the function itself)
  }
  context.heartbeat(details);
}
