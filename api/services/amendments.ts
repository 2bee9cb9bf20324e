import { and, asc, eq, inArray } from 'drizzle-orm';
import { pointsOfNoReturnPassed } from '../../db/points-of-no-return';
import { accounts, orderAmendments, orderItems, orders, quoteVersions, subOrders } from '../../db/schema';
import { childId } from '../../domain/order-plan';
import { amendUpdate, workflowId } from '../../workflows/contracts';
import type { Tx } from '../../db/client';
import type { Actor } from '../../domain/roles';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { AmendmentBody } from '../schemas/orders';
import { prepareChangeQuote } from './change-quotes';

/**
 * Amends a running order. A commercial change (a site or an item added or removed: what the customer pays)
 * is prepared as a change quote and applied only once the customer signs it (`./change-quotes`); any other
 * change is recorded and applied at once: the order workflow applies it to the running plan (update
 * `amend`), and an amendment the workflow refuses is removed with what it created.
 */
export async function amendOrder(deps: AppDeps, orderId: string, body: AmendmentBody, who: Actor) {
  const checked = await checkAmendment(deps, orderId, body);
  if (isCommercial(body)) return prepareChangeQuote(deps, checked, body, who);
  const amendmentId = await deps.database.db.transaction((tx) => writeAmendment(tx, checked, body));
  return applyAmendment(deps, orderId, amendmentId, 'discard');
}

/** Adding or removing a site or an item changes what the customer pays; the catalog prices no characteristic. */
export const isCommercial = (body: AmendmentBody) => body.add.length > 0 || body.remove.length > 0;

/**
 * Has the order workflow apply a recorded amendment. When the workflow refuses it, what the amendment
 * created is removed: the amendment itself too (`discard`), or it stays, `refused` with the reason (a
 * signed change, whose record the sales contract keeps).
 */
export async function applyAmendment(
  deps: AppDeps,
  orderId: string,
  amendmentId: string,
  onRefusal: 'discard' | 'refuse',
) {
  try {
    const effects = await deps.temporal.workflow
      .getHandle(workflowId.order(orderId))
      .executeUpdate(amendUpdate, { args: [{ amendmentId }] });
    const { amendments } = await listAmendments(deps, orderId);
    return { ...amendments.find((a) => a.id === amendmentId)!, effects };
  } catch (err) {
    await undoAmendment(deps, amendmentId, onRefusal === 'refuse' ? reasonOf(err) : undefined);
    throw err;
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

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

/**
 * Removes what an amendment the order workflow refused created: nothing is left half-done. Without a reason
 * the amendment goes too; with one (a signed change) it stays, `refused`, with the reason.
 */
async function undoAmendment(
  { database: { db } }: AppDeps,
  amendmentId: string,
  refusal?: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const added = await tx.select().from(orderItems).where(eq(orderItems.amendmentId, amendmentId));
    const subOrderIds = [...new Set(added.map((i) => i.subOrderId))];
    await tx.delete(orderItems).where(eq(orderItems.amendmentId, amendmentId));
    if (subOrderIds.length > 0) {
      const created = await tx.select().from(subOrders).where(inArray(subOrders.id, subOrderIds));
      await tx.delete(subOrders).where(inArray(subOrders.id, subOrderIds));
      await tx.delete(accounts).where(
        inArray(
          accounts.id,
          created.map((s) => s.serviceAccountId),
        ),
      );
    }
    if (refusal === undefined) await tx.delete(orderAmendments).where(eq(orderAmendments.id, amendmentId));
    else
      await tx
        .update(orderAmendments)
        .set({ state: 'refused', effects: { refusal } })
        .where(eq(orderAmendments.id, amendmentId));
  });
}

/**
 * The amendments of an order, each with the items as they were before it. A commercial change whose change
 * quote ended unsigned (rejected, expired) reads `withdrawn`: it will never apply.
 */
export async function listAmendments({ database: { db } }: AppDeps, orderId: string) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  const rows = await db
    .select({ amendment: orderAmendments, quoteState: quoteVersions.state })
    .from(orderAmendments)
    // A change quote has one version: it is not revised; a new amendment prepares a new one.
    .leftJoin(
      quoteVersions,
      and(eq(quoteVersions.quoteId, orderAmendments.changeQuoteId), eq(quoteVersions.version, 1)),
    )
    .where(eq(orderAmendments.orderId, orderId))
    .orderBy(asc(orderAmendments.sequence));
  return {
    amendments: rows.map(({ amendment, quoteState }) =>
      amendment.state === 'quoted' && quoteState !== null && unsignable.includes(quoteState)
        ? { ...amendment, state: 'withdrawn' as const }
        : amendment,
    ),
  };
}

/** The states of a change quote's version in which the change can no longer be signed. */
export const unsignable = ['rejected', 'expired', 'superseded', 'cancelled'];
