/** An order as the API shows it, its list and audit trail, and the controls of a running order. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, count, desc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
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
import type { AuditQuery, ListOrdersQuery, OrderTreeDepth } from '../schemas/orders';
import type { Actor } from '../../domain/roles';

type Db = AppDeps['database']['db'];
const byId = <T extends { id: string }>(rows: T[]) => rows.sort((x, y) => compareIds(x.id, y.id));

/**
 * The tree's queries, built once per database and prepared (the SQL is not rebuilt per read, and the
 * server plans each once per connection): building them was a fifth of a read's CPU.
 */
const prepared = new WeakMap<Db, ReturnType<typeof prepareTreeQueries>>();
function treeQueries(db: Db) {
  let q = prepared.get(db);
  if (!q) prepared.set(db, (q = prepareTreeQueries(db)));
  return q;
}
function prepareTreeQueries(db: Db) {
  const orderId = sql.placeholder('orderId');
  return {
    order: db.select().from(orders).where(eq(orders.id, orderId)).limit(1).prepare('tree_order'),
    taskCounts: db
      .select({ state: tasks.state, n: count() })
      .from(tasks)
      .where(eq(tasks.orderId, orderId))
      .groupBy(tasks.state)
      .prepare('tree_task_counts'),
    fallouts: db
      .select()
      .from(falloutCases)
      .where(eq(falloutCases.orderId, orderId))
      .prepare('tree_fallouts'),
    subOrders: db.select().from(subOrders).where(eq(subOrders.orderId, orderId)).prepare('tree_sub_orders'),
    items: db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).prepare('tree_items'),
    domainOrders: db
      .select()
      .from(domainOrders)
      .where(eq(domainOrders.orderId, orderId))
      .prepare('tree_domain_orders'),
    tasks: db.select().from(tasks).where(eq(tasks.orderId, orderId)).prepare('tree_tasks'),
  };
}

/**
 * The order, its progress and its open fall-outs. The progress is counted by the database (no task row
 * is loaded), unless the caller has the order's task states already (the whole tree reads every task).
 */
async function orderSummary(db: Db, orderId: string, taskStates?: Promise<string[]>) {
  const q = treeQueries(db);
  const [[order], counts, fallouts] = await Promise.all([
    q.order.execute({ orderId }),
    taskStates ? taskStates.then(countStates) : q.taskCounts.execute({ orderId }),
    q.fallouts.execute({ orderId }),
  ]);
  if (!order) throw notFound('Order', orderId);
  const countOf = (state: string) => counts.find((c) => c.state === state)?.n ?? 0;
  const total = counts.reduce((sum, c) => sum + c.n, 0);
  const done = countOf('completed') + countOf('skipped');
  return {
    ...order,
    progress: {
      tasks: total,
      completed: countOf('completed'),
      running: countOf('running'),
      failed: countOf('failed') + countOf('fatallyFailed'),
      percent: total === 0 ? 0 : Math.round((done / total) * 100),
    },
    openFallouts: fallouts.filter((f) => f.state !== 'resolved' && f.state !== 'cancelled'),
  };
}

function countStates(states: string[]): { state: string; n: number }[] {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].map(([state, n]) => ({ state, n }));
}

/** The sub-orders with their items and domain orders, each with its tasks when `withTasks`. */
async function subOrderTree(db: Db, orderId: string, withTasks: boolean, taskRows?: Promise<TaskRow[]>) {
  const q = treeQueries(db);
  const [subs, items, domains, rows] = await Promise.all([
    q.subOrders.execute({ orderId }).then(byId),
    q.items.execute({ orderId }).then(byId),
    q.domainOrders.execute({ orderId }).then(byId),
    withTasks ? (taskRows ?? q.tasks.execute({ orderId })).then(byId) : [],
  ]);
  const itemsOf = groupBy(items, (i) => i.subOrderId);
  const domainsOf = groupBy(domains, (d) => d.subOrderId);
  const tasksOf = groupBy(rows, (t) => t.domainOrderId);
  return subs.map((s) => ({
    ...s,
    items: itemsOf.get(s.id) ?? [],
    domainOrders: (domainsOf.get(s.id) ?? []).map((d) => ({ ...d, tasks: tasksOf.get(d.id) ?? [] })),
  }));
}
type TaskRow = typeof tasks.$inferSelect;

/**
 * The whole order tree: order, sub-orders, domain orders and tasks with states and due dates, and
 * progress, in one round of six queries (the progress is counted from the task rows the tree reads).
 */
export async function getOrderTree({ database: { db } }: AppDeps, orderId: string) {
  const taskRows = treeQueries(db).tasks.execute({ orderId });
  const states = taskRows.then((rows) => rows.map((t) => t.state));
  const [summary, subOrders] = await Promise.all([
    orderSummary(db, orderId, states),
    subOrderTree(db, orderId, true, taskRows),
  ]);
  return { ...summary, subOrders };
}

/**
 * The order to `depth` (`GET /orders/:id?depth=`): a screen of a 1,000-site order need not fetch every
 * task. `order`: the summary; `subOrders`: and the sub-orders; `domainOrders`: and their items and domain
 * orders; `tasks`: the whole tree.
 */
export async function getOrderToDepth(deps: AppDeps, orderId: string, depth: OrderTreeDepth) {
  const { db } = deps.database;
  if (depth === 'tasks') return getOrderTree(deps, orderId);
  const summary = await orderSummary(db, orderId);
  if (depth === 'order') return summary;
  if (depth === 'subOrders')
    return {
      ...summary,
      subOrders: byId(await treeQueries(db).subOrders.execute({ orderId })),
    };
  const tree = await subOrderTree(db, orderId, false);
  return {
    ...summary,
    subOrders: tree.map((s) => ({ ...s, domainOrders: s.domainOrders.map(({ tasks: _none, ...d }) => d) })),
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

/**
 * Every state change of the order and everything under it, with its quote's, oldest first: a page of
 * `limit` after the cursor `after` (an event's `id`), and `next` when there is more.
 */
export async function orderAudit(
  { database: { db } }: AppDeps,
  orderId: string,
  page: AuditQuery = { limit: 10_000 },
) {
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (!order) throw notFound('Order', orderId);
  const events = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        or(eq(auditEvents.orderId, orderId), eq(auditEvents.entityId, order.quoteId)),
        page.after === undefined ? undefined : gt(auditEvents.id, page.after),
      ),
    )
    .orderBy(asc(auditEvents.id))
    .limit(page.limit + 1);
  const more = events.length > page.limit;
  const shown = more ? events.slice(0, page.limit) : events;
  return { events: shown, ...(more ? { next: shown.at(-1)!.id } : {}) };
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
