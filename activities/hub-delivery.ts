/**
 * The TMF hub's deliveries: the events after a subscription's cursor, and one signed POST of an event to
 * its listener. The `hubDelivery` workflow calls them in order and Temporal retries them: these keep no
 * loop or queue of their own, and each is idempotent (a delivery at or before the cursor is not repeated,
 * a listener that saw the `eventId` already can drop it).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import {
  cancelProductOrders,
  domainOrders,
  orders,
  productInventory,
  quotes,
  serviceInventory,
  tmfEvents,
  tmfHubSubscriptions,
} from '../db/schema';
import {
  carriesProductOrder,
  hubApis,
  matches,
  type HubApi,
  type EventEnvelope,
  type ProductOrderEventType,
  type RecordedEvent,
} from '../domain/tmf-events';
import { productOrderHref, productOrdersOf, toCancelProductOrder } from '../views/tmf-product-order';
import { quotesOf, serviceOrdersOf } from '../views/tmf-resource-loaders';
import { tmfStateOf, toTmfProduct, toTmfService } from '../views/tmf-resources';

/** What became of one event for one subscription. */
export type DeliveryOutcome = 'delivered' | 'skipped' | 'gone';

const BATCH = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function hubActivities(db: Db, catalogs: CatalogStore) {
  const subscription = async (id: string) =>
    (await db.select().from(tmfHubSubscriptions).where(eq(tmfHubSubscriptions.id, id)))[0];

  /** A read API's resource as it is now, in the state it was in when the event happened. */
  async function resourceOf(api: HubApi, id: string, state: string | undefined) {
    let shaped: Record<string, unknown> | undefined;
    if (api === 'serviceOrdering')
      [shaped] = await serviceOrdersOf(
        db,
        await db.select().from(domainOrders).where(eq(domainOrders.id, id)),
      );
    else if (api === 'productInventory') {
      const [row] = await db.select().from(productInventory).where(eq(productInventory.id, id));
      if (row) shaped = toTmfProduct(row);
    } else if (api === 'serviceInventory') {
      const [row] = await db.select().from(serviceInventory).where(eq(serviceInventory.id, id));
      if (row) shaped = toTmfService(row);
    } else [shaped] = await quotesOf(db, await db.select().from(quotes).where(eq(quotes.id, id)));
    // TMF637 calls a product's state `status`.
    const stateField = api === 'productInventory' ? 'status' : 'state';
    return { ...(shaped ?? { id }), ...(state ? { [stateField]: tmfStateOf(api, state) } : {}) };
  }

  /** The event as the listener receives it: the order as it is now, in the state it was in then. */
  async function envelope(event: typeof tmfEvents.$inferSelect): Promise<EventEnvelope> {
    const facts = event.facts as RecordedEvent;
    const api = event.api as HubApi;
    if (api !== 'productOrderingManagement')
      return {
        eventId: event.eventId,
        eventTime: event.eventTime,
        eventType: facts.eventType,
        correlationId: event.orderId,
        domain: api,
        event: { [hubApis[api].resource]: await resourceOf(api, facts.resourceId!, facts.state) },
      };
    const type = event.eventType as ProductOrderEventType;
    let body: Record<string, unknown>;
    if (carriesProductOrder(type)) {
      const rows = await db.select().from(orders).where(eq(orders.id, event.orderId));
      const [shaped] = await productOrdersOf({ db, catalogs }, rows);
      body = {
        productOrder: {
          ...(shaped ?? { id: event.orderId, href: productOrderHref(event.orderId), productOrderItem: [] }),
          ...(facts.state ? { state: facts.state } : {}),
          '@type': 'ProductOrder',
        },
      };
    } else {
      const cancelId = facts.cancellation?.id ?? '';
      const [row] = await db.select().from(cancelProductOrders).where(eq(cancelProductOrders.id, cancelId));
      body = {
        cancelProductOrder: {
          ...(row ? toCancelProductOrder(row) : { id: cancelId, '@type': 'CancelProductOrder' }),
          ...(facts.cancellation ? { state: facts.cancellation.state } : {}),
        },
      };
    }
    return {
      eventId: event.eventId,
      eventTime: event.eventTime,
      eventType: type,
      correlationId: event.orderId,
      domain: 'productOrderingManagement',
      ...(facts.description ? { description: facts.description } : {}),
      ...(facts.fieldPath ? { fieldPath: facts.fieldPath.join(',') } : {}),
      event: body,
    };
  }

  const advance = (id: string, seq: number, extra: Partial<typeof tmfHubSubscriptions.$inferInsert> = {}) =>
    db
      .update(tmfHubSubscriptions)
      .set({ cursor: sql`greatest(${tmfHubSubscriptions.cursor}, ${seq})`, ...extra })
      .where(eq(tmfHubSubscriptions.id, id));

  return {
    /**
     * The next events after the subscription's cursor, in order; waits up to `waitMs` for one (a long
     * poll that heartbeats), so an idle subscription costs one activity per wait, not a timer per second.
     */
    async hubNextEvents(subscriptionId: string, waitMs: number): Promise<{ gone: boolean; seqs: number[] }> {
      const until = Date.now() + waitMs;
      for (;;) {
        const sub = await subscription(subscriptionId);
        if (!sub) return { gone: true, seqs: [] };
        const next = await db
          .select({ seq: tmfEvents.seq })
          .from(tmfEvents)
          .where(and(eq(tmfEvents.api, sub.api), gt(tmfEvents.seq, sub.cursor)))
          .orderBy(asc(tmfEvents.seq))
          .limit(BATCH);
        if (next.length > 0 || Date.now() >= until) return { gone: false, seqs: next.map((e) => e.seq) };
        Context.current().heartbeat();
        await sleep(250);
      }
    },

    /**
     * Sends one event to the subscription's listener, signed the Standard Webhooks way (`webhook-id` is the
     * `eventId`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the subscription's secret).
     * A 2xx moves the cursor past it; anything else throws, and the workflow's retry policy backs off.
     */
    async hubDeliver(subscriptionId: string, seq: number): Promise<DeliveryOutcome> {
      const sub = await subscription(subscriptionId);
      if (!sub) return 'gone';
      if (sub.cursor >= seq) return 'delivered';
      const [event] = await db.select().from(tmfEvents).where(eq(tmfEvents.seq, seq));
      const body = await envelope(event);
      if (!matches(sub.query, body)) {
        await advance(subscriptionId, seq);
        return 'skipped';
      }
      const payload = JSON.stringify(body);
      const sentAt = new Date();
      const signature = new Webhook(sub.secret).sign(body.eventId, sentAt, payload);
      let problem: string;
      try {
        const answer = await fetch(sub.callback, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': body.eventId,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body: payload,
          // A redirect could lead past the allow-list: it counts as a failed delivery.
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        await answer.body?.cancel();
        if (answer.status >= 200 && answer.status < 300) {
          const now = new Date().toISOString();
          await advance(subscriptionId, seq, {
            state: 'active',
            lastError: null,
            failingSince: null,
            lastDeliveredAt: now,
            updatedAt: now,
          });
          return 'delivered';
        }
        problem = `the listener answered ${answer.status}`;
      } catch (err) {
        problem = `the listener cannot be reached: ${(err as Error).message}`;
      }
      await db
        .update(tmfHubSubscriptions)
        .set({ lastError: `${body.eventType} ${body.eventId}: ${problem}` })
        .where(eq(tmfHubSubscriptions.id, subscriptionId));
      throw ApplicationFailure.retryable(problem, 'DeliveryFailed');
    },

    /** Deliveries were retried for the whole window: the subscription shows `failing` until one succeeds. */
    async hubMarkFailing(subscriptionId: string): Promise<void> {
      const now = new Date().toISOString();
      await db
        .update(tmfHubSubscriptions)
        .set({ state: 'failing', failingSince: now, updatedAt: now })
        .where(and(eq(tmfHubSubscriptions.id, subscriptionId), eq(tmfHubSubscriptions.state, 'active')));
    },
  };
}
