/**
 * What a refused or failed request must not leave behind, looked for once the requests have ended
 * (`npm run fuzz` runs it after Schemathesis): a workflow the API started whose records never committed,
 * records the API committed without their workflow, or an order, quote or subscription half written.
 */
import type { Client } from '@temporalio/client';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  auditEvents,
  orderItems,
  orders,
  quotes,
  quoteVersions,
  subOrders,
  tmfHubSubscriptions,
} from '../db/schema';
import { workflowId } from '../workflows/contracts';

/** One thing left behind, in a sentence. */
export type Leftover = string;

/**
 * Looks at the workflows the API starts (`order:`, `quote-approval:`, `hub:`) on `taskQueue` and at every
 * order, quote and hub subscription in the database. Run it when no request is in flight: a request
 * between its workflow's start and its commit is, for that moment, what a dead one leaves.
 */
export async function findLeftovers(
  db: Db,
  client: Client,
  taskQueue: string,
  /** Told how much was looked at: workflows the API started, orders, quotes, subscriptions. */
  looked?: (counts: Record<string, number>) => void,
): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const started = new Set<string>();
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
    started.add(wf.workflowId);

  // Workflows without their records.
  const apiStarted = [...started].filter((id) => /^(order|quote-approval|hub):/.test(id));
  for (const id of apiStarted) {
    const [kind, key, version] = id.split(':');
    if (kind === 'order' && !(await db.query.orders.findFirst({ where: eq(orders.id, key) })))
      found.push(`workflow ${id} runs, but order ${key} was never committed`);
    if (kind === 'quote-approval') {
      const number = Number(version?.slice(1));
      const row = await db.query.quoteVersions.findFirst({
        where: sql`${quoteVersions.quoteId} = ${key} and ${quoteVersions.version} = ${number}`,
      });
      if (!row) found.push(`workflow ${id} runs, but quote ${key} has no version ${number}`);
    }
  }

  // Records without their workflows, and records half written.
  const allOrders = await db.select({ id: orders.id }).from(orders);
  const counts = async (table: typeof subOrders | typeof orderItems) =>
    new Map(
      (
        await db
          .select({ orderId: table.orderId, n: sql<number>`count(*)::int` })
          .from(table)
          .groupBy(table.orderId)
      ).map((r) => [r.orderId, r.n]),
    );
  const subOrderCount = await counts(subOrders);
  const itemCount = await counts(orderItems);
  const created = new Set(
    (
      await db
        .select({ id: auditEvents.entityId })
        .from(auditEvents)
        .where(sql`${auditEvents.entityType} = 'order' and ${auditEvents.toState} = 'acknowledged'`)
    ).map((r) => r.id),
  );
  for (const { id } of allOrders) {
    if (!subOrderCount.get(id)) found.push(`order ${id} has no sub-order`);
    if (!itemCount.get(id)) found.push(`order ${id} has no item`);
    if (!created.has(id)) found.push(`order ${id} has no creation in its audit trail`);
    if (!(await exists(client, workflowId.order(id)))) found.push(`order ${id} has no workflow`);
  }
  const versions = new Set(
    (
      await db.select({ quoteId: quoteVersions.quoteId, version: quoteVersions.version }).from(quoteVersions)
    ).map((v) => `${v.quoteId}:${v.version}`),
  );
  const allQuotes = await db.select({ id: quotes.id, currentVersion: quotes.currentVersion }).from(quotes);
  for (const q of allQuotes)
    if (!versions.has(`${q.id}:${q.currentVersion}`))
      found.push(`quote ${q.id} has no row for its version ${q.currentVersion}`);
  const subscriptions = await db.select({ id: tmfHubSubscriptions.id }).from(tmfHubSubscriptions);
  for (const s of subscriptions)
    if (!(await exists(client, workflowId.hubDelivery(s.id))))
      found.push(`hub subscription ${s.id} has no delivery workflow`);
  looked?.({
    workflows: apiStarted.length,
    orders: allOrders.length,
    quotes: allQuotes.length,
    subscriptions: subscriptions.length,
  });
  return found;
}

async function exists(client: Client, id: string): Promise<boolean> {
  return client.workflow
    .getHandle(id)
    .describe()
    .then(
      () => true,
      () => false,
    );
}
