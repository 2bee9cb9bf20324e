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

const CHUNK = 500;
/** Rows in batches small enough for one insert statement each, however large the order. */
export function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}
