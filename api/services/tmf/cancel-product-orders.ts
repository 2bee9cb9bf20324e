/**
 * TMF622 `cancelProductOrder`: a cancellation as a task of its own. The order's cancel update assesses it
 * against the points of no return: refused, the task ends `terminatedWithError` with the reason; accepted,
 * it is `inProgress` while the order compensates its work, and `done` once the order is `cancelled`.
 */
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { FastifyError } from 'fastify';
import type { Db, Tx } from '../../../db/client';
import { cancelProductOrders, orders } from '../../../db/schema';
import { recordTmfEvents, settleCancellations } from '../../../db/tmf-outbox';
import type { Actor } from '../../../domain/roles';
import type { AppDeps } from '../../deps';
import { notFound, toResponse, unprocessable } from '../../errors';
import { newId } from '../../ids';
import type { CreateCancelProductOrderBody, ListCancelProductOrdersQuery } from '../../schemas/tmf';
import { controlOrder } from '../orders';
import { selectFields, toCancelProductOrder } from '../../../views/tmf-product-order';

type CancelRow = typeof cancelProductOrders.$inferSelect;

export async function requestCancellation(deps: AppDeps, body: CreateCancelProductOrderBody, who: Actor) {
  const { db } = deps.database;
  const orderId = body.productOrder.id;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order)
    throw unprocessable('The cancellation cannot be created', [
      { field: 'productOrder.id', rule: 'exists', message: `product order ${orderId} does not exist` },
    ]);
  const id = newId('CAN');
  await db.insert(cancelProductOrders).values({
    id,
    orderId,
    state: 'acknowledged',
    cancellationReason: body.cancellationReason ?? null,
    requestedCancellationDate: body.requestedCancellationDate
      ? new Date(body.requestedCancellationDate).toISOString()
      : null,
    requestedBy: who.subject,
  });
  let outcome: Partial<CancelRow>;
  try {
    const { state } = await controlOrder(deps, orderId, 'cancel', body.cancellationReason, who);
    outcome =
      state === 'cancelled'
        ? { state: 'done', effectiveCancellationDate: new Date().toISOString() }
        : { state: 'inProgress' };
  } catch (err) {
    const { statusCode, body: refusal } = toResponse(err as FastifyError);
    if (statusCode !== 409) {
      // Not the order's answer (Temporal unreachable, say): leave no cancellation behind.
      await db.delete(cancelProductOrders).where(eq(cancelProductOrders.id, id));
      throw err;
    }
    outcome = { state: 'terminatedWithError', errorMessage: refusal.message };
  }
  // The task's creation and its first move are recorded together, once the order has answered: a request
  // that fails on the way leaves neither the task nor an event that announced it.
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(cancelProductOrders)
      .set({ ...outcome, updatedAt: new Date().toISOString() })
      .where(eq(cancelProductOrders.id, id))
      .returning();
    await recordTmfEvents(tx, [
      { eventType: 'CancelProductOrderCreateEvent', orderId, cancellation: { id, state: 'acknowledged' } },
      { eventType: 'CancelProductOrderStateChangeEvent', orderId, cancellation: { id, state: updated.state } },
    ]);
    return settled(tx, updated);
  });
  return toCancelProductOrder(row);
}

/**
 * The task's state as the order has moved since: `done` once the order is `cancelled`; an order that ended
 * any other way (a compensation that failed) ends the task `terminatedWithError` (db/tmf-outbox.ts). The
 * order's transition settles it too; this catches a task that said `inProgress` after the order moved.
 */
async function settled(tx: Db | Tx, row: CancelRow): Promise<CancelRow> {
  if (row.state !== 'inProgress') return row;
  const [order] = await tx.select({ state: orders.state }).from(orders).where(eq(orders.id, row.orderId));
  if (order) await settleCancellations(tx, row.orderId, order.state);
  const [now] = await tx.select().from(cancelProductOrders).where(eq(cancelProductOrders.id, row.id));
  return now ?? row;
}

async function current(deps: AppDeps, row: CancelRow): Promise<CancelRow> {
  if (row.state !== 'inProgress') return row;
  return deps.database.db.transaction((tx) => settled(tx, row));
}

export async function getCancellation(deps: AppDeps, id: string, fields?: string) {
  const row = await deps.database.db.query.cancelProductOrders.findFirst({
    where: eq(cancelProductOrders.id, id),
  });
  if (!row) throw notFound('Cancel product order', id);
  return selectFields(toCancelProductOrder(await current(deps, row)), fields);
}

export async function listCancellations(deps: AppDeps, query: ListCancelProductOrdersQuery) {
  const { db } = deps.database;
  const orderId = query['productOrder.id'];
  const ofOrder = orderId ? [eq(cancelProductOrders.orderId, orderId)] : [];
  // Bring the tasks still in progress up to date with their orders first, so that the state filter holds.
  const moving = await db
    .select()
    .from(cancelProductOrders)
    .where(and(eq(cancelProductOrders.state, 'inProgress'), ...ofOrder));
  for (const row of moving) await current(deps, row);
  const where: SQL[] = [...ofOrder];
  if (query.state) where.push(eq(cancelProductOrders.state, query.state));
  const [{ total }] = await db
    .select({ total: count() })
    .from(cancelProductOrders)
    .where(and(...where));
  const page = await db
    .select()
    .from(cancelProductOrders)
    .where(and(...where))
    .orderBy(desc(cancelProductOrders.createdAt), desc(cancelProductOrders.id))
    .offset(query.offset)
    .limit(query.limit);
  return {
    total,
    cancellations: page.map((r) => selectFields(toCancelProductOrder(r), query.fields)),
  };
}
