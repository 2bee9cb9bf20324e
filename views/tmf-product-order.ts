/**
 * Our order as TMF622 v4 shapes it, for the API's answers and the hub's events. One `productOrderItem` per order line (an offering at a site, as the
 * quote's line made it), its `state` the state of the sub-order that fulfils the site; the site is the
 * item's `product.place` (a subscriber's line: `product.relatedParty`). The README has the whole mapping.
 */
import { inArray } from 'drizzle-orm';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import {
  accounts,
  orderItems,
  productOrderNotes,
  subOrders,
  type cancelProductOrders,
  type orders,
} from '../db/schema';
import { compareIds } from '../domain/decompose';

/** Where an order's TMF shape is read from: the API's database and catalogs, or an activity's. */
export interface ShapeSource {
  db: Db;
  catalogs: Pick<CatalogStore, 'get'>;
}

export const productOrderingBase = '/tmf-api/productOrderingManagement/v4';
export const productOrderHref = (orderId: string) => `${productOrderingBase}/productOrder/${orderId}`;

type OrderRow = typeof orders.$inferSelect;
type SubOrderRow = typeof subOrders.$inferSelect;
type ItemRow = typeof orderItems.$inferSelect;
type NoteRow = typeof productOrderNotes.$inferSelect;
type CancelRow = typeof cancelProductOrders.$inferSelect;

/**
 * TMF622 v4 has no `partial` for an item: a site whose domain orders partly failed is `failed` (the order
 * itself says `partial`). An item an amendment removed is `cancelled`.
 */
function itemState(subOrderState: string, item: ItemRow): string {
  if (item.status === 'removed') return 'cancelled';
  return subOrderState === 'partial' ? 'failed' : subOrderState;
}

const money = (unit: string, value: number) => ({ unit, value });
function prices(currency: string, recurring: number, oneOff: number) {
  return [
    {
      name: 'Monthly charge',
      priceType: 'recurring',
      recurringChargePeriod: 'month',
      price: { dutyFreeAmount: money(currency, recurring), '@type': 'Price' },
      '@type': 'OrderPrice',
    },
    {
      name: 'One-off charge',
      priceType: 'oneTime',
      price: { dutyFreeAmount: money(currency, oneOff), '@type': 'Price' },
      '@type': 'OrderPrice',
    },
  ];
}

/** Omits the keys whose value is null or undefined: the TMF definitions type dates as strings, never null. */
function present<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

interface OrderParts {
  order: OrderRow;
  customerName: string | undefined;
  subOrders: SubOrderRow[];
  items: ItemRow[];
  notes: NoteRow[];
  currency: string;
  offerings: Map<string, { name: string; memberKinds: string[] }>;
}

function toProductOrder(parts: OrderParts) {
  const { order, currency, offerings } = parts;
  const subById = new Map(parts.subOrders.map((s) => [s.id, s]));
  const productOrderItem = parts.items.map((item) => {
    const sub = subById.get(item.subOrderId);
    const offering = offerings.get(item.offeringCode);
    const characteristics = Object.entries(item.characteristics ?? {});
    const site = sub?.memberRef
      ? offering?.memberKinds.includes('subscriber')
        ? {
            relatedParty: [
              { id: sub.memberRef, name: sub.name, role: 'user', '@referredType': 'Individual' },
            ],
          }
        : {
            place: [
              {
                id: sub.memberRef,
                name: sub.name,
                role: 'installationAddress',
                '@referredType': 'GeographicSite',
              },
            ],
          }
      : {};
    return {
      id: item.id,
      action: 'add' as const,
      quantity: item.quantity,
      state: itemState(sub?.state ?? order.state, item),
      productOffering: present({
        id: item.offeringCode,
        name: offering?.name,
        '@referredType': 'ProductOffering',
      }),
      product: {
        isBundle: false,
        ...site,
        ...(characteristics.length > 0
          ? {
              productCharacteristic: characteristics.map(([name, value]) => ({
                name,
                value,
                '@type': 'Characteristic',
              })),
            }
          : {}),
        '@type': 'Product',
      },
      itemPrice: prices(currency, item.recurringNet, item.oneOffNet),
      '@type': 'ProductOrderItem',
    };
  });
  const active = parts.items.filter((i) => i.status !== 'removed');
  const sum = (pick: (i: ItemRow) => number) =>
    Math.round(active.reduce((total, i) => total + pick(i), 0) * 100) / 100;
  return {
    id: order.id,
    href: productOrderHref(order.id),
    ...present({
      state: order.state,
      orderDate: order.createdAt,
      requestedCompletionDate: order.requestedCompletionDate,
      expectedCompletionDate: order.plannedCompletionDate,
      completionDate: order.completedAt,
    }),
    relatedParty: [
      present({
        id: order.accountId,
        name: parts.customerName,
        role: 'customer',
        '@referredType': 'Organization',
      }),
    ],
    quote: [{ id: order.quoteId, '@referredType': 'Quote' }],
    note: parts.notes.map((n) => ({
      id: String(n.id),
      author: n.author,
      date: n.createdAt,
      text: n.text,
      '@type': 'Note',
    })),
    orderTotalPrice: prices(
      currency,
      sum((i) => i.recurringNet),
      sum((i) => i.oneOffNet),
    ),
    productOrderItem,
    '@type': 'ProductOrder',
  };
}
export type ProductOrder = ReturnType<typeof toProductOrder>;

/** The TMF shape of each order, in the order given, with what it needs loaded in a few queries. */
export async function productOrdersOf(source: ShapeSource, rows: OrderRow[]): Promise<ProductOrder[]> {
  if (rows.length === 0) return [];
  const { db, catalogs } = source;
  const ids = rows.map((o) => o.id);
  const [subs, items, notes, customers] = await Promise.all([
    db.select().from(subOrders).where(inArray(subOrders.orderId, ids)),
    db.select().from(orderItems).where(inArray(orderItems.orderId, ids)),
    db.select().from(productOrderNotes).where(inArray(productOrderNotes.orderId, ids)),
    db
      .select({ id: accounts.id, name: accounts.name })
      .from(accounts)
      .where(inArray(accounts.id, [...new Set(rows.map((o) => o.accountId))])),
  ]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  const shaped: ProductOrder[] = [];
  for (const order of rows) {
    const catalog = await catalogs.get(order.catalogVersion);
    shaped.push(
      toProductOrder({
        order,
        customerName: names.get(order.accountId),
        subOrders: subs.filter((s) => s.orderId === order.id),
        items: items.filter((i) => i.orderId === order.id).sort((x, y) => compareIds(x.id, y.id)),
        notes: notes.filter((n) => n.orderId === order.id).sort((x, y) => x.id - y.id),
        currency: catalog.currency,
        offerings: new Map(catalog.offerings.map((o) => [o.code, o])),
      }),
    );
  }
  return shaped;
}

/** A TMF622 `CancelProductOrder` task as the API answers it and the hub sends it. */
export function toCancelProductOrder(row: CancelRow) {
  return {
    id: row.id,
    href: `${productOrderingBase}/cancelProductOrder/${row.id}`,
    state: row.state,
    productOrder: { id: row.orderId, href: productOrderHref(row.orderId), '@referredType': 'ProductOrder' },
    ...(row.cancellationReason ? { cancellationReason: row.cancellationReason } : {}),
    ...(row.requestedCancellationDate ? { requestedCancellationDate: row.requestedCancellationDate } : {}),
    ...(row.effectiveCancellationDate ? { effectiveCancellationDate: row.effectiveCancellationDate } : {}),
    // TMF622 v4's CancelProductOrder has no error attribute: the refusal comes as v5's `errorMessage`.
    ...(row.errorMessage
      ? { errorMessage: [{ code: 'invalid_state', reason: row.errorMessage, '@type': 'ErrorMessage' }] }
      : {}),
    '@type': 'CancelProductOrder',
  };
}

/** `fields=a,b.c`: the named top-level attributes, with `id`, `href` and `@type` always. */
export function selectFields<T extends { id: string; href: string; '@type': string }>(
  entity: T,
  fields: string | undefined,
): Partial<T> & Pick<T, 'id' | 'href' | '@type'> {
  if (!fields) return entity;
  const wanted = new Set(['id', 'href', '@type', ...fields.split(',').map((f) => f.trim().split('.')[0])]);
  return Object.fromEntries(Object.entries(entity).filter(([k]) => wanted.has(k))) as Partial<T> &
    Pick<T, 'id' | 'href' | '@type'>;
}
