/**
 * The rows behind a TMF648 quote and a TMF641 service order, loaded and shaped by ./tmf-resources: the one
 * way the read APIs and the hubs' deliveries get them.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { domainOrders, quoteItems, quotes, quoteVersions, serviceInventory, tasks } from '../db/schema';
import { compareIds } from '../domain/decompose';
import { toServiceOrder, toTmfQuote } from './tmf-resources';
/** Quotes as TMF648 shapes them, at `version` (each one's current by default); one without it is left out. */
export async function quotesOf(db: Db, rows: (typeof quotes.$inferSelect)[], version?: number) {
  const shaped = [];
  for (const quote of rows) {
    const ofVersion = (t: typeof quoteVersions | typeof quoteItems) =>
      and(eq(t.quoteId, quote.id), eq(t.version, version ?? quote.currentVersion));
    const [row] = await db.select().from(quoteVersions).where(ofVersion(quoteVersions));
    if (!row) continue;
    const lines = await db.select().from(quoteItems).where(ofVersion(quoteItems)).orderBy(quoteItems.lineNo);
    shaped.push(toTmfQuote(quote, row, lines));
  }
  return shaped;
}

/** Domain orders as TMF641 service orders: their tasks in plan order, and the service each realised. */
export async function serviceOrdersOf(db: Db, rows: (typeof domainOrders.$inferSelect)[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [work, services] = await Promise.all([
    db.select().from(tasks).where(inArray(tasks.domainOrderId, ids)),
    db.select().from(serviceInventory).where(inArray(serviceInventory.domainOrderId, ids)),
  ]);
  const serviceOf = new Map(services.map((s) => [s.domainOrderId, s.id]));
  return rows.map((d) =>
    toServiceOrder(
      d,
      work.filter((t) => t.domainOrderId === d.id).sort((a, b) => compareIds(a.id, b.id)),
      serviceOf.get(d.id),
    ),
  );
}
