import { and, asc, eq, inArray } from 'drizzle-orm';
import { accounts, orderAmendments, orderItems, orders, quoteVersions, subOrders } from '../../db/schema';
import { amendUpdate, workflowId } from '../../workflows/contracts';
import type { Actor } from '../../domain/roles';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import type { AmendmentBody } from '../schemas/orders';
import { checkAmendment, writeAmendment } from './amendment-records';
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
