/**
 * Rows for activity tests, written straight to the run's database: an accepted quote of its own account
 * turned into an order with one sub-order per site, as the API would leave them before the order workflow
 * starts. Every ID is new, so tests never see each other's rows.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { readCatalog } from '../../catalog/load';
import type { Db } from '../../db/client';
import {
  accounts,
  auditEvents,
  orderItems,
  orders,
  quoteMembers,
  quotes,
  quoteVersions,
  subOrders,
  tasks,
} from '../../db/schema';
import { childId } from '../../domain/order-plan';

export interface Site {
  ref: string;
  name: string;
  /** Null: a site the feasibility system cannot survey. */
  address?: string | null;
  offeringCode: string;
}

export interface SeededOrder {
  orderId: string;
  quoteId: string;
  accountId: string;
  subOrderIds: string[];
  itemIds: string[];
}

const catalog = readCatalog();

export async function seedOrder(
  db: Db,
  sites: Site[],
  options: { creditLimit?: number; quoteState?: string } = {},
): Promise<SeededOrder> {
  const u = randomUUID().slice(0, 8).toUpperCase();
  const accountId = `ACC-${u}`;
  const quoteId = `QUO-${u}`;
  const orderId = `ORD-${u}`;
  const price = (code: string) => catalog.offerings.find((o) => o.code === code)!.prices;
  await db.insert(accounts).values([
    {
      id: accountId,
      kind: 'business',
      name: `Customer ${u}`,
      billingProfile: { billingAddress: 'Alexanderplatz 1, Berlin', creditLimit: options.creditLimit },
    },
    ...sites.map((s, i) => ({
      id: `${accountId}-${i + 1}`,
      kind: 'service' as const,
      name: s.name,
      parentId: accountId,
      memberKey: `${quoteId}:${s.ref}`,
    })),
  ]);
  await db
    .insert(quotes)
    .values({ id: quoteId, accountId, state: options.quoteState ?? 'accepted', currentVersion: 1 });
  await db.insert(quoteVersions).values({
    quoteId,
    version: 1,
    state: options.quoteState ?? 'accepted',
    currency: catalog.currency,
    recurringTotal: sites.reduce((sum, s) => sum + price(s.offeringCode).recurring, 0),
    oneOffTotal: sites.reduce((sum, s) => sum + price(s.offeringCode).oneOff, 0),
    maxDiscountPct: 0,
    catalogVersion: catalog.version,
  });
  await db.insert(quoteMembers).values(
    sites.map((s) => ({
      quoteId,
      version: 1,
      ref: s.ref,
      kind: 'location' as const,
      name: s.name,
      address: s.address === undefined ? `${s.name} street 1` : s.address,
    })),
  );
  await db.insert(orders).values({
    id: orderId,
    quoteId,
    quoteVersion: 1,
    accountId,
    state: 'acknowledged',
    catalogVersion: catalog.version,
  });
  const subOrderIds = sites.map((_, i) => childId.subOrder(orderId, i));
  const itemIds = subOrderIds.map((s) => childId.orderItem(s, 0));
  await db.insert(subOrders).values(
    sites.map((s, i) => ({
      id: subOrderIds[i],
      orderId,
      memberRef: s.ref,
      name: s.name,
      serviceAccountId: `${accountId}-${i + 1}`,
      state: 'acknowledged',
    })),
  );
  await db.insert(orderItems).values(
    sites.map((s, i) => ({
      id: itemIds[i],
      orderId,
      subOrderId: subOrderIds[i],
      quoteLineNo: i + 1,
      offeringCode: s.offeringCode,
      quantity: 1,
      recurringNet: price(s.offeringCode).recurring,
      oneOffNet: price(s.offeringCode).oneOff,
    })),
  );
  return { orderId, quoteId, accountId, subOrderIds, itemIds };
}

/** The audit events of one entity, oldest first. */
export async function auditOf(db: Db, entityId: string) {
  return db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId)).orderBy(asc(auditEvents.id));
}

/** The order's task of that catalog code (decomposed first). */
export async function taskOf(db: Db, orderId: string, code: string) {
  const rows = await db.select().from(tasks).where(eq(tasks.orderId, orderId)).orderBy(asc(tasks.id));
  const found = rows.find((t) => t.code === code);
  if (!found) throw new Error(`order ${orderId} has no task ${code}: ${rows.map((t) => t.code).join(', ')}`);
  return found;
}
