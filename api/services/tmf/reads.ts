/**
 * The TMF read APIs: TMF648 quotes, TMF641 service orders, TMF637 products and TMF638 services, each a
 * page of rows (newest first, `offset`/`limit`, the total for `X-Total-Count`) shaped by views/.
 */
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { domainOrders, productInventory, quotes, serviceInventory } from '../../../db/schema';
import { selectFields } from '../../../views/tmf-product-order';
import { quotesOf, serviceOrdersOf } from '../../../views/tmf-resource-loaders';
import { toTmfProduct, toTmfService } from '../../../views/tmf-resources';
import type { AppDeps } from '../../deps';
import { notFound } from '../../errors';
import type { TmfReadQuery } from '../../schemas/tmf-reads';

type Shaped = { id: string; href: string; '@type': string };

/** One page of `table` under `where`, newest first, and how many there are in all. */
async function page<T extends PgTable>(
  deps: AppDeps,
  table: T,
  newest: PgColumn,
  where: SQL[],
  query: TmfReadQuery,
): Promise<{ total: number; rows: T['$inferSelect'][] }> {
  const { db } = deps.database;
  const condition = and(...where);
  const [{ total }] = await db.select({ total: count() }).from(table as PgTable).where(condition);
  const rows = await db
    .select()
    .from(table as PgTable)
    .where(condition)
    .orderBy(desc(newest))
    .offset(query.offset)
    .limit(query.limit);
  return { total, rows: rows as T['$inferSelect'][] };
}

const filters = (pairs: [PgColumn, string | undefined][]) =>
  pairs.filter(([, value]) => value !== undefined).map(([column, value]) => eq(column, value!));

const fields = <T extends Shaped>(entities: T[], query: { fields?: string }) =>
  entities.map((e) => selectFields(e, query.fields));

// ---- TMF648 ---------------------------------------------------------------------------------------------
export async function listTmfQuotes(deps: AppDeps, query: TmfReadQuery) {
  const where = filters([
    [quotes.state, query.state],
    [quotes.accountId, query['relatedParty.id']],
  ]);
  const { total, rows } = await page(deps, quotes, quotes.createdAt, where, query);
  return { total, entities: fields(await quotesOf(deps.database.db, rows), query) };
}

export async function getTmfQuote(deps: AppDeps, id: string, query: { fields?: string; version?: number }) {
  const [quote] = await deps.database.db.select().from(quotes).where(eq(quotes.id, id));
  if (!quote) throw notFound('Quote', id);
  const [shaped] = await quotesOf(deps.database.db, [quote], query.version);
  if (!shaped) throw notFound('Quote version', `${id} v${query.version}`);
  return selectFields(shaped, query.fields);
}

// ---- TMF641 ---------------------------------------------------------------------------------------------
export async function listServiceOrders(deps: AppDeps, query: TmfReadQuery) {
  const where = filters([
    [domainOrders.state, query.state],
    [domainOrders.orderId, query['externalReference.id']],
    [domainOrders.domain, query.category],
  ]);
  const { total, rows } = await page(deps, domainOrders, domainOrders.updatedAt, where, query);
  return { total, entities: fields(await serviceOrdersOf(deps.database.db, rows), query) };
}

export async function getServiceOrder(deps: AppDeps, id: string, query: { fields?: string }) {
  const rows = await deps.database.db.select().from(domainOrders).where(eq(domainOrders.id, id));
  if (rows.length === 0) throw notFound('Service order', id);
  return selectFields((await serviceOrdersOf(deps.database.db, rows))[0], query.fields);
}

// ---- TMF637 and TMF638 ------------------------------------------------------------------------------------
export async function listProducts(deps: AppDeps, query: TmfReadQuery) {
  const where = filters([
    [productInventory.state, query.status],
    [productInventory.accountId, query['relatedParty.id']],
    [productInventory.orderId, query['productOrderItem.productOrderId']],
  ]);
  const { total, rows } = await page(deps, productInventory, productInventory.createdAt, where, query);
  return { total, entities: fields(rows.map(toTmfProduct), query) };
}

export async function getProduct(deps: AppDeps, id: string, query: { fields?: string }) {
  const [row] = await deps.database.db.select().from(productInventory).where(eq(productInventory.id, id));
  if (!row) throw notFound('Product', id);
  return selectFields(toTmfProduct(row), query.fields);
}

export async function listServices(deps: AppDeps, query: TmfReadQuery) {
  const where = filters([
    [serviceInventory.state, query.state],
    [serviceInventory.accountId, query['relatedParty.id']],
    [serviceInventory.domain, query.category],
  ]);
  const { total, rows } = await page(deps, serviceInventory, serviceInventory.createdAt, where, query);
  return { total, entities: fields(rows.map(toTmfService), query) };
}

export async function getService(deps: AppDeps, id: string, query: { fields?: string }) {
  const [row] = await deps.database.db.select().from(serviceInventory).where(eq(serviceInventory.id, id));
  if (!row) throw notFound('Service', id);
  return selectFields(toTmfService(row), query.fields);
}
