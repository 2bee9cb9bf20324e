import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { and, asc, desc, eq, type SQL } from 'drizzle-orm';
import type { CatalogStore } from '../../catalog/store';
import type { Db } from '../../db/client';
import {
  accounts,
  auditEvents,
  domainOrders,
  falloutCases,
  orderItems,
  orders,
  quoteGroups,
  quoteItems,
  quoteMembers,
  quotes,
  serviceContracts,
  subOrders,
  tasks,
} from '../../db/schema';
import { childId, planSubOrders } from '../../domain/order-plan';
import { compareIds } from '../../domain/decompose';
import { workflowId, type FulfilmentSettings, type OrderInput } from '../../workflows/contracts';
import type { order as orderWorkflow } from '../../workflows/order';
import { CustomerId, OrderId, OrderState, State } from '../../workflows/search-attributes';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';

export interface OrderDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  catalogs: CatalogStore;
  fulfilment: FulfilmentSettings;
}

export interface CreateOrderRequest {
  quoteId: string;
  requestedCompletionDate?: string;
  idempotencyKey?: string;
}

/**
 * Turns an accepted quote into one primary order with its sub-orders, items and service accounts, in one
 * transaction, and starts the order workflow before that transaction commits: a failure anywhere leaves
 * neither rows nor a workflow behind. Returns the existing order for a repeated `Idempotency-Key`.
 */
export async function createOrder(
  deps: OrderDeps,
  request: CreateOrderRequest,
): Promise<{ orderId: string; created: boolean }> {
  const { db } = deps;
  if (request.idempotencyKey) {
    const existing = await db.query.orders.findFirst({
      where: eq(orders.idempotencyKey, request.idempotencyKey),
    });
    if (existing) return sameRequestOrConflict(existing, request);
  }
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, request.quoteId) });
  if (!quote)
    throw unprocessable('The order cannot be created', [
      { field: 'quoteId', rule: 'exists', message: `quote ${request.quoteId} does not exist` },
    ]);
  const already = await db.query.orders.findFirst({ where: eq(orders.quoteId, quote.id) });
  if (already)
    throw invalidState(`Quote ${quote.id} already has order ${already.id}`, [
      { field: 'quoteId', rule: 'one_order_per_quote', message: `order ${already.id} exists` },
    ]);

  const version = quote.currentVersion;
  const account = (await db.query.accounts.findFirst({ where: eq(accounts.id, quote.accountId) }))!;
  const members = await db
    .select()
    .from(quoteMembers)
    .where(and(eq(quoteMembers.quoteId, quote.id), eq(quoteMembers.version, version)));
  const groups = await db
    .select()
    .from(quoteGroups)
    .where(and(eq(quoteGroups.quoteId, quote.id), eq(quoteGroups.version, version)));
  const items = await db
    .select()
    .from(quoteItems)
    .where(and(eq(quoteItems.quoteId, quote.id), eq(quoteItems.version, version)));
  const catalogVersion = (await db.query.quoteVersions.findFirst({
    where: (v, { and: a, eq: e }) => a(e(v.quoteId, quote.id), e(v.version, version)),
  }))!.catalogVersion;
  const catalog = await deps.catalogs.get(catalogVersion);

  const problems: ErrorDetail[] = [];
  if (quote.state !== 'accepted')
    problems.push({
      field: 'quoteId',
      rule: 'quote_accepted',
      message: `quote ${quote.id} is ${quote.state}, not accepted`,
    });
  if (!account.billingProfile)
    problems.push({
      field: 'accountId',
      rule: 'billing_profile',
      message: `account ${account.id} has no billing profile`,
    });
  const known = new Set(catalog.offerings.map((o) => o.code));
  for (const item of items) {
    if (!known.has(item.offeringCode))
      problems.push({
        field: `items.${item.lineNo}`,
        rule: 'in_catalog',
        message: `offering ${item.offeringCode} is not in catalog ${catalog.version}`,
      });
  }
  if (problems.length > 0) throw unprocessable('The order cannot be created', problems);

  const plan = planSubOrders(account.name, members, groups, items);
  const orderId = newId('ORD');
  try {
    await db.transaction(async (tx) => {
      await tx.insert(orders).values({
        id: orderId,
        quoteId: quote.id,
        quoteVersion: version,
        accountId: account.id,
        state: 'acknowledged',
        catalogVersion,
        idempotencyKey: request.idempotencyKey ?? null,
        requestedCompletionDate: request.requestedCompletionDate
          ? new Date(request.requestedCompletionDate).toISOString()
          : null,
      });
      const audit: (typeof auditEvents.$inferInsert)[] = [
        {
          eventKey: `order:${orderId}:created`,
          orderId,
          entityType: 'order',
          entityId: orderId,
          toState: 'acknowledged',
          actor: 'api',
          details: { quoteId: quote.id, quoteVersion: version },
        },
      ];
      for (const [index, sub] of plan.entries()) {
        const subOrderId = childId.subOrder(orderId, index);
        const serviceAccountId =
          sub.memberRef === null
            ? account.id
            : await serviceAccountFor(tx, account.id, quote.id, sub.memberRef, sub.name);
        await tx.insert(subOrders).values({
          id: subOrderId,
          orderId,
          memberRef: sub.memberRef,
          name: sub.name,
          serviceAccountId,
          state: 'acknowledged',
        });
        await tx.insert(orderItems).values(
          sub.items.map((item, i) => ({
            id: childId.orderItem(subOrderId, i),
            orderId,
            subOrderId,
            ...item,
          })),
        );
        audit.push({
          eventKey: `subOrder:${subOrderId}:created`,
          orderId,
          entityType: 'subOrder',
          entityId: subOrderId,
          toState: 'acknowledged',
          actor: 'api',
          details: { serviceAccountId },
        });
      }
      await tx.insert(auditEvents).values(audit);
      await startOrderWorkflow(
        deps,
        { orderId, customerId: account.id, settings: deps.fulfilment },
        account.name,
        plan.length,
      );
    });
  } catch (err) {
    await deps.temporal.workflow
      .getHandle(workflowId.order(orderId))
      .terminate('order creation rolled back')
      .catch(() => {});
    if (request.idempotencyKey && isUniqueViolation(err)) {
      // A concurrent request with the same key won the race: answer with its order.
      const existing = await db.query.orders.findFirst({
        where: eq(orders.idempotencyKey, request.idempotencyKey),
      });
      if (existing) return sameRequestOrConflict(existing, request);
    }
    if (isUniqueViolation(err)) throw invalidState(`Quote ${quote.id} already has an order`);
    throw err;
  }
  return { orderId, created: true };
}

function sameRequestOrConflict(existing: typeof orders.$inferSelect, request: CreateOrderRequest) {
  if (existing.quoteId !== request.quoteId) {
    throw invalidState(
      `Idempotency-Key was already used for order ${existing.id} of quote ${existing.quoteId}`,
      [
        {
          field: 'headers.idempotency-key',
          rule: 'same_request',
          message: 'the key was used with another quote',
        },
      ],
    );
  }
  return { orderId: existing.id, created: false };
}

/** The member's service account, created once: the member key makes a retry find the first one. */
async function serviceAccountFor(
  tx: Parameters<Parameters<Db['transaction']>[0]>[0],
  parentId: string,
  quoteId: string,
  memberRef: string,
  name: string,
): Promise<string> {
  const memberKey = `${quoteId}:${memberRef}`;
  await tx
    .insert(accounts)
    .values({ id: newId('SA'), kind: 'service', name, parentId, memberKey })
    .onConflictDoNothing();
  const [row] = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.memberKey, memberKey));
  // The site's service contract, signed with the quote, now names the account it serves.
  await tx
    .update(serviceContracts)
    .set({ serviceAccountId: row.id })
    .where(and(eq(serviceContracts.quoteId, quoteId), eq(serviceContracts.memberRef, memberRef)));
  return row.id;
}

async function startOrderWorkflow(
  deps: OrderDeps,
  input: OrderInput,
  customerName: string,
  subOrderCount: number,
) {
  await deps.temporal.workflow.start<typeof orderWorkflow>('order', {
    workflowId: workflowId.order(input.orderId),
    taskQueue: deps.taskQueue,
    args: [input],
    staticSummary: `Order ${input.orderId} for ${customerName}: ${subOrderCount} sub-order(s)`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: OrderId, value: input.orderId },
      { key: CustomerId, value: input.customerId },
      { key: OrderState, value: 'acknowledged' },
      { key: State, value: 'acknowledged' },
    ]),
  });
}

function isUniqueViolation(err: unknown): boolean {
  const code =
    (err as { code?: string; cause?: { code?: string } }).code ??
    (err as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}

/** The whole order tree: order, sub-orders, domain orders and tasks with states and due dates, and progress. */
export async function getOrderTree(db: Db, orderId: string) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  const byId = <T extends { id: string }>(rows: T[]) => rows.sort((x, y) => compareIds(x.id, y.id));
  const subs = byId(await db.select().from(subOrders).where(eq(subOrders.orderId, orderId)));
  const items = byId(await db.select().from(orderItems).where(eq(orderItems.orderId, orderId)));
  const domains = byId(await db.select().from(domainOrders).where(eq(domainOrders.orderId, orderId)));
  const taskRows = byId(await db.select().from(tasks).where(eq(tasks.orderId, orderId)));
  const fallouts = await db.select().from(falloutCases).where(eq(falloutCases.orderId, orderId));
  const count = (state: string) => taskRows.filter((t) => t.state === state).length;
  const done = count('completed') + count('skipped');
  const itemsOf = groupBy(items, (i) => i.subOrderId);
  const domainsOf = groupBy(domains, (d) => d.subOrderId);
  const tasksOf = groupBy(taskRows, (t) => t.domainOrderId);
  return {
    ...order,
    progress: {
      tasks: taskRows.length,
      completed: count('completed'),
      running: count('running'),
      failed: count('failed') + count('fatallyFailed'),
      percent: taskRows.length === 0 ? 0 : Math.round((done / taskRows.length) * 100),
    },
    openFallouts: fallouts.filter((f) => f.state !== 'resolved' && f.state !== 'cancelled'),
    subOrders: subs.map((s) => ({
      ...s,
      items: itemsOf.get(s.id) ?? [],
      domainOrders: (domainsOf.get(s.id) ?? []).map((d) => ({ ...d, tasks: tasksOf.get(d.id) ?? [] })),
    })),
  };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

export async function listOrders(db: Db, filter: { state?: string; accountId?: string; limit: number }) {
  const where: SQL[] = [];
  if (filter.state) where.push(eq(orders.state, filter.state));
  if (filter.accountId) where.push(eq(orders.accountId, filter.accountId));
  return db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt))
    .limit(filter.limit);
}

export async function orderAudit(db: Db, orderId: string) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  const quoteEvents = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.entityId, order.quoteId))
    .orderBy(asc(auditEvents.id));
  const orderEvents = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orderId, orderId))
    .orderBy(asc(auditEvents.id));
  return [...quoteEvents, ...orderEvents];
}
