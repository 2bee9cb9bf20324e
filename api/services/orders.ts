/** An order as the API shows it, its list and audit trail, and the controls of a running order. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, desc, eq, type SQL } from 'drizzle-orm';
import {
  auditEvents,
  domainOrders,
  falloutCases,
  orderItems,
  orders,
  subOrders,
  tasks,
} from '../../db/schema';
import { compareIds } from '../../domain/decompose';
import { cancelUpdate, holdUpdate, resumeUpdate, workflowId } from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import type { ListOrdersQuery } from '../schemas/orders';
import type { Actor } from '../../domain/roles';

/** The whole order tree: order, sub-orders, domain orders and tasks with states and due dates, and progress. */
export async function getOrderTree({ database: { db } }: AppDeps, orderId: string) {
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

export async function listOrders({ database: { db } }: AppDeps, filter: ListOrdersQuery) {
  const where: SQL[] = [];
  if (filter.state) where.push(eq(orders.state, filter.state));
  if (filter.accountId) where.push(eq(orders.accountId, filter.accountId));
  const found = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt))
    .limit(filter.limit);
  return { orders: found };
}

/** Every state change of the order and everything under it, with its quote's before them, oldest first. */
export async function orderAudit({ database: { db } }: AppDeps, orderId: string) {
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
  return { events: [...quoteEvents, ...orderEvents] };
}

const controls = { hold: holdUpdate, resume: resumeUpdate, cancel: cancelUpdate };
export type OrderControl = keyof typeof controls;

/**
 * Hold, resume or cancel a running order through its workflow's update, whose validator refuses what the
 * order's state does not allow (409). Answers the order tree with the state the update left.
 */
export async function controlOrder(
  deps: AppDeps,
  orderId: string,
  control: OrderControl,
  reason: string | undefined,
  by: Actor,
) {
  const { db } = deps.database;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  const { state } = await deps.temporal.workflow
    .getHandle(workflowId.order(order.id))
    .executeUpdate(controls[control], { args: [{ reason, by }] })
    .catch((err: unknown) => {
      // A closed order workflow takes no update: the order is final.
      if (err instanceof WorkflowNotFoundError) throw invalidState(`Order ${order.id} is ${order.state}`);
      throw err;
    });
  return { ...(await getOrderTree(deps, order.id)), state };
}
