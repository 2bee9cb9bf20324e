/**
 * TMF622 `productOrder`: create (from an accepted quote, or from items at catalog prices), list, read and
 * patch. Both ways of creating end in the one order capture of `POST /orders` (`createOrder`).
 */
import { and, count, desc, eq, gt, gte, lt, lte, type SQL } from 'drizzle-orm';
import { auditEvents, orders, productOrderNotes } from '../../../db/schema';
import { recordTmfEvents } from '../../../db/tmf-outbox';
import type { Actor } from '../../../domain/roles';
import type { AppDeps } from '../../deps';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../../errors';
import type {
  CreateProductOrderBody,
  ListProductOrdersQuery,
  NoteInput,
  PatchProductOrderBody,
} from '../../schemas/tmf';
import { createOrder } from '../order-creation';
import { standardQuote } from './standard-quote';
import { productOrdersOf, selectFields } from '../../../views/tmf-product-order';

export async function getProductOrder(deps: AppDeps, orderId: string, fields?: string) {
  const order = await deps.database.db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Product order', orderId);
  const [shaped] = await productOrdersOf({ db: deps.database.db, catalogs: deps.catalogs }, [order]);
  return selectFields(shaped, fields);
}

export async function listProductOrders(deps: AppDeps, query: ListProductOrdersQuery) {
  const { db } = deps.database;
  const where: SQL[] = [];
  if (query.state) where.push(eq(orders.state, query.state));
  if (query['relatedParty.id']) where.push(eq(orders.accountId, query['relatedParty.id']));
  const at = (d: string) => new Date(d).toISOString();
  if (query['orderDate.gt']) where.push(gt(orders.createdAt, at(query['orderDate.gt'])));
  if (query['orderDate.gte']) where.push(gte(orders.createdAt, at(query['orderDate.gte'])));
  if (query['orderDate.lt']) where.push(lt(orders.createdAt, at(query['orderDate.lt'])));
  if (query['orderDate.lte']) where.push(lte(orders.createdAt, at(query['orderDate.lte'])));
  const [{ total }] = await db
    .select({ total: count() })
    .from(orders)
    .where(and(...where));
  const page = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .offset(query.offset)
    .limit(query.limit);
  const shaped = await productOrdersOf({ db: deps.database.db, catalogs: deps.catalogs }, page);
  return { total, productOrders: shaped.map((o) => selectFields(o, query.fields)) };
}

/**
 * A product order: the accepted quote's order (`quote[0].id`), or, without a quote, standard offers at
 * catalog prices (a quote made, approved by policy and accepted for the caller, then the same capture).
 */
export async function createProductOrder(
  deps: AppDeps,
  body: CreateProductOrderBody,
  idempotencyKey: string | undefined,
  who: Actor,
) {
  const { db } = deps.database;
  const quoteId = body.quote?.[0]?.id;
  const customer = customerOf(body);
  if (quoteId) {
    const problems: ErrorDetail[] = [];
    if (body.productOrderItem?.length)
      problems.push({
        field: 'productOrderItem',
        rule: 'from_quote',
        message: 'an order from a quote takes its items from the quote: leave productOrderItem out',
      });
    const quote = await db.query.quotes.findFirst({ where: (q, { eq: e }) => e(q.id, quoteId) });
    if (quote && customer && customer.id !== quote.accountId)
      problems.push({
        field: 'relatedParty',
        rule: 'quote_customer',
        message: `quote ${quoteId} is account ${quote.accountId}'s, not ${customer.id}'s`,
      });
    if (problems.length > 0) throw unprocessable('The product order cannot be created', problems);
  } else if (idempotencyKey) {
    // The quote a repeated request would make is a new one: answer the first request's order first.
    const existing = await db.query.orders.findFirst({ where: eq(orders.idempotencyKey, idempotencyKey) });
    if (existing) return getProductOrder(deps, existing.id);
  }
  const fromQuote = quoteId ?? (await standardQuote(deps, body, customer, who));
  const tree = await createOrder(
    deps,
    { quoteId: fromQuote, requestedCompletionDate: body.requestedCompletionDate, idempotencyKey },
    who,
  );
  if (body.note?.length) await addNotes(deps, tree.id, body.note, who);
  return getProductOrder(deps, tree.id);
}

/** The party with `role: customer`, or the only party given. */
function customerOf(body: CreateProductOrderBody) {
  const parties = body.relatedParty ?? [];
  return parties.find((p) => p.role?.toLowerCase() === 'customer') ?? (parties.length === 1 ? parties[0] : undefined);
}

async function addNotes(deps: AppDeps, orderId: string, notes: NoteInput[], who: Actor) {
  await deps.database.db
    .insert(productOrderNotes)
    .values(notes.map((n) => ({ orderId, text: n.text, author: n.author ?? who.subject })));
}

/** Why each TMF attribute cannot be patched: it goes through another resource, or the engine sets it. */
const notPatchable: Record<string, string> = {
  productOrderItem: 'items change through an amendment (POST /orders/{id}/amendments)',
  state: 'the state follows fulfilment; cancel through POST /cancelProductOrder',
  quote: 'the quote an order came from is fixed',
  relatedParty: 'the customer of an order is fixed',
};
const patchable = new Set(['requestedCompletionDate', 'note']);
const finalStates = new Set(['completed', 'cancelled', 'failed', 'partial', 'rejected']);

/**
 * A JSON merge patch of what may change in flight: `requestedCompletionDate` (null clears it; the order's
 * due date follows) and `note` (each note without an `id` is added; notes are never removed). Anything
 * else is refused with 422, each field with its reason.
 */
export async function patchProductOrder(
  deps: AppDeps,
  orderId: string,
  patch: PatchProductOrderBody,
  who: Actor,
) {
  const { db } = deps.database;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Product order', orderId);
  const refused: ErrorDetail[] = Object.keys(patch)
    .filter((k) => !patchable.has(k) && !k.startsWith('@'))
    .map((field) => ({
      field,
      rule: 'not_patchable',
      message: `${field} cannot be patched: ${notPatchable[field] ?? 'it is set by the order engine or fixed at creation'}`,
    }));
  if (refused.length > 0) throw unprocessable('The patch changes attributes that cannot change', refused);
  const dateChanges = patch.requestedCompletionDate !== undefined;
  if (dateChanges && finalStates.has(order.state))
    throw invalidState(`Product order ${order.id} is ${order.state}; its requested date can no longer change`);
  const requested = patch.requestedCompletionDate ? new Date(patch.requestedCompletionDate).toISOString() : null;
  const newNotes = (patch.note ?? []).filter((n) => n.id === undefined);

  await db.transaction(async (tx) => {
    if (dateChanges) {
      await tx
        .update(orders)
        .set({
          requestedCompletionDate: requested,
          // Before decomposition there is no plan yet: decomposition reads the requested date itself.
          ...(order.plannedCompletionDate ? { dueDate: requested ?? order.plannedCompletionDate } : {}),
        })
        .where(eq(orders.id, order.id));
      const [{ n }] = await tx
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.entityId, order.id), eq(auditEvents.entityType, 'order')));
      await tx.insert(auditEvents).values({
        eventKey: `order:${order.id}:requestedCompletionDate:${n}`,
        orderId: order.id,
        entityType: 'order',
        entityId: order.id,
        fromState: order.state,
        toState: order.state,
        actor: who.subject,
        actorRole: who.role,
        details: { requestedCompletionDate: { from: order.requestedCompletionDate, to: requested } },
      });
    }
    if (newNotes.length > 0)
      await tx
        .insert(productOrderNotes)
        .values(newNotes.map((n) => ({ orderId: order.id, text: n.text, author: n.author ?? who.subject })));
    const fieldPath = [
      ...(dateChanges ? ['requestedCompletionDate'] : []),
      ...(newNotes.length > 0 ? ['note'] : []),
    ];
    if (fieldPath.length > 0)
      await recordTmfEvents(tx, [{ eventType: 'ProductOrderAttributeValueChangeEvent', orderId: order.id, fieldPath }]);
  });
  return getProductOrder(deps, order.id);
}
