import { eq, inArray } from 'drizzle-orm';
import { pointsOfNoReturnPassed } from '../../db/points-of-no-return';
import { accounts, orderAmendments, orderItems, orders, subOrders } from '../../db/schema';
import { childId } from '../../domain/order-plan';
import { amendUpdate, workflowId } from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { AmendmentBody } from '../schemas/orders';

/**
 * Amends a running order: records the supplemental order, then has the order workflow apply it to the
 * running plan (update `amend`). An amendment the workflow refuses is removed with what it created.
 */
export async function amendOrder(deps: AppDeps, orderId: string, body: AmendmentBody) {
  const amendmentId = await recordAmendment(deps, orderId, body);
  try {
    const effects = await deps.temporal.workflow
      .getHandle(workflowId.order(orderId))
      .executeUpdate(amendUpdate, { args: [{ amendmentId }] });
    const { amendments } = await listAmendments(deps, orderId);
    return { ...amendments.find((a) => a.id === amendmentId)!, effects };
  } catch (err) {
    await discardAmendment(deps, amendmentId);
    throw err;
  }
}

/**
 * Records a supplemental order (an amendment) for a running order, after every check: the order is in
 * progress or held; every item named exists and is active; every offering added is in the catalog and fits
 * its site; nothing removed or modified is past its point of no return (409 naming the items and the
 * milestone). New sites get their sub-order, items and service account here, in one transaction with the
 * amendment.
 */
async function recordAmendment(deps: AppDeps, orderId: string, body: AmendmentBody) {
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

  return db.transaction(async (tx) => {
    const previous = await tx.select().from(orderAmendments).where(eq(orderAmendments.orderId, orderId));
    const sequence = previous.length + 1;
    const amendmentId = `${orderId}-A${String(sequence).padStart(2, '0')}`;
    await tx.insert(orderAmendments).values({
      id: amendmentId,
      orderId,
      sequence,
      state: 'inProgress',
      changes: body,
      before: items.map(({ id, subOrderId, offeringCode, quantity, characteristics, status, version }) => ({
        id,
        subOrderId,
        offeringCode,
        quantity,
        characteristics,
        status,
        version,
      })),
    });
    // New sites: a sub-order each, with a service account under the customer and the items.
    let index = subs.length;
    const bySite = new Map<string, string>();
    for (const add of body.add) {
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
      const price = offerings.get(add.offeringCode)!.prices;
      const itemIndex = body.add.filter((a) => a.site.ref === add.site.ref).indexOf(add);
      await tx.insert(orderItems).values({
        id: childId.orderItem(subOrderId, itemIndex),
        orderId,
        subOrderId,
        quoteLineNo: 0,
        offeringCode: add.offeringCode,
        quantity: add.quantity,
        recurringNet: price.recurring * add.quantity,
        oneOffNet: price.oneOff * add.quantity,
        characteristics: add.characteristics ?? {},
        amendmentId,
      });
    }
    return amendmentId;
  });
}

/** Removes an amendment the order workflow refused, and what it created: nothing is left half-done. */
async function discardAmendment({ database: { db } }: AppDeps, amendmentId: string): Promise<void> {
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
    await tx.delete(orderAmendments).where(eq(orderAmendments.id, amendmentId));
  });
}

/** The amendments of an order, each with the items as they were before it. */
export async function listAmendments({ database: { db } }: AppDeps, orderId: string) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  return { amendments: await db.select().from(orderAmendments).where(eq(orderAmendments.orderId, orderId)) };
}
