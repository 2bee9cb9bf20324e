/**
 * The TMF event outbox. An event is written inside the transaction of the change it reports, so an event
 * exists exactly when its change does. The hub delivers the rows in `seq` order, so `seq` must follow the
 * order of commit: a transaction-scoped advisory lock, taken just before the insert and held to commit,
 * keeps a later `seq` from committing before an earlier one (else a reader past the later one would never
 * see the earlier). Only the few order-level changes write here unless a read API's hub listens, so the
 * lock is rarely contended.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { apiOf, type RecordedEvent } from '../domain/tmf-events';
import type { Db, Tx } from './client';
import { cancelProductOrders, orders, tmfEvents, tmfHubSubscriptions } from './schema';
import { batches } from './batches';

/** An arbitrary constant naming the outbox's lock (`pg_advisory_xact_lock`). */
export const OUTBOX_LOCK = 622_0001;

/**
 * Records the events in the caller's transaction (pass a transaction, never the bare pool). TMF622's are
 * always recorded; another API's (a service order's, a product's, a service's, a quote's) only while a hub
 * of that API has a subscription: a subscription gets the events after its creation, and the many
 * domain-order and inventory changes of a large order then cost nothing when nobody listens.
 */
export async function recordTmfEvents(tx: Db | Tx, recorded: RecordedEvent[]): Promise<void> {
  if (recorded.length === 0) return;
  const otherApis = [...new Set(recorded.map((e) => apiOf(e.eventType)))].filter(
    (api) => api !== 'productOrderingManagement',
  );
  const listened = new Set(
    otherApis.length === 0
      ? []
      : (
          await tx
            .selectDistinct({ api: tmfHubSubscriptions.api })
            .from(tmfHubSubscriptions)
            .where(inArray(tmfHubSubscriptions.api, otherApis))
        ).map((r) => r.api),
  );
  const events = recorded.filter((e) => {
    const api = apiOf(e.eventType);
    return api === 'productOrderingManagement' || listened.has(api);
  });
  if (events.length === 0) return;
  // Each event says the order's state when it happened (the delivery shows the order in that state).
  const stateless = [...new Set(events.filter((e) => !e.state && !e.resourceId).map((e) => e.orderId))];
  const states = new Map(
    stateless.length === 0
      ? []
      : (
          await tx
            .select({ id: orders.id, state: orders.state })
            .from(orders)
            .where(inArray(orders.id, stateless))
        ).map((o) => [o.id, o.state]),
  );
  await tx.execute(sql`select pg_advisory_xact_lock(${OUTBOX_LOCK})`);
  const rows = events
    .map((event) => ({ ...event, state: event.state ?? states.get(event.orderId) }))
    .map((facts) => ({
      eventId: randomUUID(),
      eventType: facts.eventType,
      api: apiOf(facts.eventType),
      orderId: facts.orderId,
      facts,
    }));
  for (const batch of batches(rows)) await tx.insert(tmfEvents).values(batch);
}

/** The order states in which a cancellation is still being worked on. */
const cancelling = ['assessingCancellation', 'pendingCancellation'];

/**
 * Ends the order's cancellations in progress once the order has left cancelling: `done` when it is
 * `cancelled`, else `terminatedWithError`; each change recorded as a `CancelProductOrderStateChangeEvent`.
 * Called by the order's state transition and by a read that finds a task behind its order.
 */
export async function settleCancellations(tx: Db | Tx, orderId: string, orderState: string): Promise<void> {
  if (cancelling.includes(orderState)) return;
  const outcome =
    orderState === 'cancelled'
      ? { state: 'done' as const, effectiveCancellationDate: new Date().toISOString() }
      : {
          state: 'terminatedWithError' as const,
          errorMessage: `the order ended ${orderState}, not cancelled`,
        };
  const settled = await tx
    .update(cancelProductOrders)
    .set({ ...outcome, updatedAt: new Date().toISOString() })
    .where(and(eq(cancelProductOrders.orderId, orderId), eq(cancelProductOrders.state, 'inProgress')))
    .returning({ id: cancelProductOrders.id });
  await recordTmfEvents(
    tx,
    settled.map(({ id }) => ({
      eventType: 'CancelProductOrderStateChangeEvent',
      orderId,
      state: orderState,
      cancellation: { id, state: outcome.state },
    })),
  );
}
