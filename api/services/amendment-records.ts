/**
 * How an amendment is checked and written: every rule an amendment must pass before anything is recorded,
 * and the supplemental order with the sub-orders, service accounts and items it adds. Used for a direct
 * amendment (./amendments) and for a signed change quote's (./change-quotes).
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { pointsOfNoReturnPassed } from '../../db/points-of-no-return';
import { accounts, orderAmendments, orderItems, orders, subOrders } from '../../db/schema';
import { childId } from '../../domain/order-plan';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { AmendmentBody } from '../schemas/orders';

export type CheckedAmendment = Awaited<ReturnType<typeof checkAmendment>>;

/**
 * Every check an amendment must pass before anything is written: the order is in progress or held; every
 * item named exists and is active; every offering added is in the catalog and fits its site; nothing
 * removed or modified is past its point of no return (409 naming the items and the milestone).
 */
export async function checkAmendment(deps: AppDeps, orderId: string, body: AmendmentBody) {
  const { db } = deps.database;
  const catalog = deps.catalogs.current;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  if (!['inProgress', 'held'].includes(order.state))
    throw invalidState(
      `Order ${orderId} is ${order.state}; only an order in progress or held can be amended`,
    );
  const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
  const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
  const problems: ErrorDetail[] = [];
  const touched = [
    ...body.modify.map((m, i) => ['modify', i, m.orderItemId] as const),
    ...body.remove.map((r, i) => ['remove', i, r.orderItemId] as const),
  ];
  for (const [list, i, itemId] of touched) {
    const item = items.find((it) => it.id === itemId);
    if (!item || item.status !== 'active')
      problems.push({
        field: `${list}.${i}.orderItemId`,
        rule: 'exists',
        message: `order item ${itemId} is not an active item of ${orderId}`,
      });
  }
  const offerings = new Map(catalog.offerings.map((o) => [o.code, o]));
  body.add.forEach((add, i) => {
    const offering = offerings.get(add.offeringCode);
    if (!offering)
      problems.push({
        field: `add.${i}.offeringCode`,
        rule: 'in_catalog',
        message: `offering "${add.offeringCode}" is not in catalog ${catalog.version}`,
      });
    else if (!offering.memberKinds.includes(add.site.kind))
      problems.push({
        field: `add.${i}.site.kind`,
        rule: 'member_kind',
        message: `offering "${add.offeringCode}" does not apply to a ${add.site.kind}`,
      });
    if (subs.some((s) => s.memberRef === add.site.ref))
      problems.push({
        field: `add.${i}.site.ref`,
        rule: 'unique',
        message: `site "${add.site.ref}" is already part of ${orderId}`,
      });
  });
  if (problems.length > 0) throw unprocessable('The amendment breaks business rules', problems);

  // Past the point of no return: a bundle whose milestone task completed or is in flight.
  const affected = [...new Set(touched.map(([, , id]) => id))];
  const passed = affected.length > 0 ? await pointsOfNoReturnPassed(db, orderId, affected) : [];
  if (passed.length > 0) {
    const items = [...new Set(passed.flatMap((p) => p.items))];
    throw invalidState(
      `Order ${orderId} cannot be amended: ${items.join(', ')} passed the milestone pointOfNoReturn ` +
        `(${passed.map((p) => `${p.code} ${p.state}`).join(', ')})`,
      passed.map((p) => ({
        field: 'items',
        rule: 'pointOfNoReturn',
        message: `${p.items.join(', ')}: ${p.code} ${p.state}`,
      })),
    );
  }
  return { order, items, subs, offerings };
}

/** The items of an order as an amendment found them: the version it supersedes, kept readable. */
const itemsBefore = (items: CheckedAmendment['items']) =>
  items.map(({ id, subOrderId, offeringCode, quantity, characteristics, status, version }) => ({
    id,
    subOrderId,
    offeringCode,
    quantity,
    characteristics,
    status,
    version,
  }));

/** The next amendment's ID of an order: `<order>-Ann`. */
export async function nextAmendmentId(tx: Tx, orderId: string) {
  const previous = await tx.select().from(orderAmendments).where(eq(orderAmendments.orderId, orderId));
  const sequence = previous.length + 1;
  return { sequence, amendmentId: `${orderId}-A${String(sequence).padStart(2, '0')}` };
}

/**
 * Writes a checked amendment: a new one, or a signed change (`signed`) that was recorded `quoted` and now
 * applies, its new items at the prices of the change quote's lines. New sites get their sub-order, items
 * and service account here, in the same transaction.
 */
export async function writeAmendment(
  tx: Tx,
  { order, items, subs, offerings }: CheckedAmendment,
  body: AmendmentBody,
  signed?: { amendmentId: string; linePrices: { recurringNet: number; oneOffNet: number; lineNo: number }[] },
) {
  const orderId = order.id;
  let amendmentId: string;
  if (signed) {
    amendmentId = signed.amendmentId;
    // Two retries of one signature at once: the second finds the change applied and writes nothing.
    const [row] = await tx
      .select()
      .from(orderAmendments)
      .where(eq(orderAmendments.id, amendmentId))
      .for('update');
    if (row.state !== 'quoted') throw invalidState(`Amendment ${amendmentId} is already ${row.state}`);
    await tx
      .update(orderAmendments)
      .set({ state: 'inProgress', before: itemsBefore(items) })
      .where(eq(orderAmendments.id, amendmentId));
  } else {
    const next = await nextAmendmentId(tx, orderId);
    amendmentId = next.amendmentId;
    await tx.insert(orderAmendments).values({
      id: amendmentId,
      orderId,
      sequence: next.sequence,
      state: 'inProgress',
      changes: body,
      before: itemsBefore(items),
    });
  }
  // New sites: a sub-order each, with a service account under the customer and the items.
  let index = subs.length;
  const bySite = new Map<string, string>();
  for (const [addIndex, add] of body.add.entries()) {
    let subOrderId = bySite.get(add.site.ref);
    if (!subOrderId) {
      subOrderId = childId.subOrder(orderId, index++);
      bySite.set(add.site.ref, subOrderId);
      const [serviceAccount] = await tx
        .insert(accounts)
        .values({
          id: newId('SA'),
          kind: 'service',
          name: add.site.name,
          parentId: order.accountId,
          memberKey: `${amendmentId}:${add.site.ref}`,
        })
        .returning();
      await tx.insert(subOrders).values({
        id: subOrderId,
        orderId,
        memberRef: add.site.ref,
        name: add.site.name,
        serviceAccountId: serviceAccount.id,
        state: 'acknowledged',
      });
    }
    const list = offerings.get(add.offeringCode)!.prices;
    const price = signed?.linePrices[addIndex] ?? {
      lineNo: 0,
      recurringNet: list.recurring * add.quantity,
      oneOffNet: list.oneOff * add.quantity,
    };
    const itemIndex = body.add.filter((a) => a.site.ref === add.site.ref).indexOf(add);
    await tx.insert(orderItems).values({
      id: childId.orderItem(subOrderId, itemIndex),
      orderId,
      subOrderId,
      quoteLineNo: price.lineNo,
      offeringCode: add.offeringCode,
      quantity: add.quantity,
      recurringNet: price.recurringNet,
      oneOffNet: price.oneOffNet,
      characteristics: add.characteristics ?? {},
      amendmentId,
    });
  }
  return amendmentId;
}
