import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import {
  accounts,
  auditEvents,
  configurationItems,
  domainOrders,
  orderItems,
  orders,
  productInventory,
  quoteMembers,
  serviceInventory,
  subOrders,
  tasks,
} from '../db/schema';
import { decomposeOrder as decompose, type Decomposition } from '../domain/decompose';
import type { CatalogStore } from '../catalog/store';
import type { DownstreamSimulator } from '../downstream/simulator';
import {
  jeopardyLevels,
  type ApprovalRefusal,
  type DomainOrderPlan,
  type DomainOrderStart,
  type JeopardyLevel,
  type OrderPlan,
  type TaskOutcome,
  type Transition,
} from '../workflows/contracts';
import { rowsOf, transition } from './transitions';

/** Task states that end a task's run, and the outcome each gives the tasks waiting on it. */
const outcomeOfState: Record<string, TaskOutcome> = {
  completed: 'completed',
  skipped: 'skipped',
  cancelled: 'cancelled',
  fatallyFailed: 'failed',
};

const CHUNK = 500;
function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function orderActivities(db: Db, catalogs: CatalogStore, simulator: DownstreamSimulator) {
  async function orderRow(orderId: string) {
    const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
    // Retryable on purpose: the API starts the order workflow just before its transaction commits, so the
    // first activity may look before the rows are visible. A rolled-back order's workflow is terminated.
    if (!order) throw new Error(`Order ${orderId} is not visible yet`);
    return order;
  }

  async function catalogOf(orderId: string) {
    return catalogs.get((await orderRow(orderId)).catalogVersion);
  }

  return {
    /** Records any state change with its audit event, once per event key. */
    async recordTransition(change: Transition): Promise<boolean> {
      return transition(db, change);
    },

    /**
     * Order approval (stage 5): the financial validation (a credit check of the account's exposure) and
     * the operational one (feasibility of every site), through the downstream systems. Returns every
     * refusal; none means approved. Recorded in the audit trail either way.
     */
    async approveOrder(orderId: string): Promise<ApprovalRefusal[]> {
      const order = await orderRow(orderId);
      const account = await db.query.accounts.findFirst({ where: eq(accounts.id, order.accountId) });
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const exposure =
        items.reduce((sum, i) => sum + i.oneOffNet, 0) +
        3 * items.reduce((sum, i) => sum + i.recurringNet, 0);
      const profile = (account?.billingProfile ?? {}) as { creditLimit?: number };
      const refusals: ApprovalRefusal[] = [];
      const credit = await simulator.creditCheck(
        { accountId: order.accountId, exposure, creditLimit: profile.creditLimit ?? null },
        `order:${orderId}:credit-check`,
      );
      if (credit.refused)
        refusals.push({ check: 'credit', subject: order.accountId, reason: credit.refused });

      const members = await db
        .select()
        .from(quoteMembers)
        .where(and(eq(quoteMembers.quoteId, order.quoteId), eq(quoteMembers.version, order.quoteVersion)));
      const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
      for (const sub of subs) {
        const member = members.find((m) => m.ref === sub.memberRef);
        if (member?.kind !== 'location') continue;
        const feasible = await simulator.feasibility(
          {
            accountId: order.accountId,
            siteName: member.name,
            address: member.address,
            offerings: items.filter((i) => i.subOrderId === sub.id).map((i) => i.offeringCode),
          },
          `order:${orderId}:feasibility:${sub.id}`,
        );
        if (feasible.refused)
          refusals.push({ check: 'feasibility', subject: sub.id, reason: feasible.refused });
      }
      await db
        .insert(auditEvents)
        .values({
          eventKey: `order:${orderId}:approval`,
          orderId,
          entityType: 'orderApproval',
          entityId: orderId,
          toState: refusals.length === 0 ? 'approved' : 'refused',
          actor: 'order-workflow',
          details: { exposure, creditLimit: profile.creditLimit ?? null, sites: subs.length, refusals },
        })
        .onConflictDoNothing();
      return refusals;
    },

    /** A refused order ends `rejected`, its sub-orders with it, every reason kept on the order. */
    async rejectOrder(orderId: string, refusals: ApprovalRefusal[]): Promise<void> {
      await db.transaction(async (tx) => {
        const moved = await transition(tx, {
          entity: 'order',
          id: orderId,
          to: 'rejected',
          eventKey: `order:${orderId}:rejected`,
          actor: 'order-workflow',
          details: { refusals },
        });
        if (!moved) return;
        await tx.update(orders).set({ stateReasons: refusals }).where(eq(orders.id, orderId));
        const subs = await tx
          .select({ id: subOrders.id })
          .from(subOrders)
          .where(eq(subOrders.orderId, orderId));
        for (const { id } of subs) {
          await transition(tx, {
            entity: 'subOrder',
            id,
            to: 'rejected',
            eventKey: `subOrder:${id}:rejected`,
            actor: 'order-workflow',
          });
        }
      });
    },

    /** Creates one product inventory record per order item, in state `created` (inactive). */
    async createProductInventory(orderId: string): Promise<number> {
      const order = await orderRow(orderId);
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
      const serviceAccountOf = new Map(subs.map((s) => [s.id, s.serviceAccountId]));
      await db.transaction((tx) =>
        storeProductInventory(tx, order, items, (item) => serviceAccountOf.get(item.subOrderId)!),
      );
      return items.length;
    },

    /**
     * Decomposes the order with the catalog version it was created with and stores the domain orders,
     * tasks, edges and planned dates (idempotent: IDs are deterministic and the first plan stays).
     * A planned minute lasts `minuteMs` on the clock (shorter in tests and demos).
     */
    async decomposeOrder(orderId: string, minuteMs: number): Promise<OrderPlan> {
      const order = await orderRow(orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const plan = decompose(items, catalog);
      const start = Date.now();
      const at = (minutes: number) => new Date(start + minutes * minuteMs).toISOString();
      const plannedCompletion = at(plan.dueMinutes);
      const dueDate = order.requestedCompletionDate ?? plannedCompletion;

      await db.transaction(async (tx) => {
        const [current] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
        if (current.plannedCompletionDate) return; // decomposed by an earlier attempt
        await storePlan(tx, orderId, plan, at);
        await tx
          .update(orders)
          .set({ dueDate, plannedCompletionDate: plannedCompletion })
          .where(eq(orders.id, orderId));
      });
      return {
        subOrderIds: plan.subOrderIds,
        domainOrders: plan.domainOrders.length,
        tasks: plan.tasks.length,
        dueDate,
      };
    },

    /** Marks the sub-order `inProgress` and returns its domain orders with their edges. */
    async startSubOrder(subOrderId: string, eventKey: string): Promise<DomainOrderPlan[]> {
      await transition(db, {
        entity: 'subOrder',
        id: subOrderId,
        to: 'inProgress',
        eventKey,
        actor: 'sub-order-workflow',
      });
      return db
        .select({
          id: domainOrders.id,
          domain: domainOrders.domain,
          specCode: domainOrders.specCode,
          dependsOn: domainOrders.dependsOn,
        })
        .from(domainOrders)
        .where(eq(domainOrders.subOrderId, subOrderId))
        .orderBy(asc(domainOrders.id));
    },

    /**
     * Marks the domain order `inProgress` and returns its task plan, with what the catalog says of each
     * task, and the tasks of other domain orders it waits on that have already finished.
     */
    async startDomainOrder(domainOrderId: string, eventKey: string): Promise<DomainOrderStart> {
      const [current] = await db.select().from(domainOrders).where(eq(domainOrders.id, domainOrderId));
      if (current?.state === 'cancelled') return { retired: true, tasks: [], settled: {} };
      await transition(db, {
        entity: 'domainOrder',
        id: domainOrderId,
        to: 'inProgress',
        eventKey,
        actor: 'domain-order-workflow',
      });
      const rows = await db
        .select()
        .from(tasks)
        .where(eq(tasks.domainOrderId, domainOrderId))
        .orderBy(asc(tasks.id));
      if (rows.length === 0) return { retired: false, tasks: [], settled: {} };
      const catalog = await catalogOf(rows[0].orderId);
      const templates = new Map(catalog.specifications.flatMap((s) => s.tasks).map((t) => [t.code, t]));
      const own = new Set(rows.map((t) => t.id));
      const external = [...new Set(rows.flatMap((t) => [...t.dependsOn, ...t.throttledAfter]))].filter(
        (id) => !own.has(id),
      );
      const settled: Record<string, TaskOutcome> = {};
      if (external.length > 0) {
        const finished = await db
          .select({ id: tasks.id, state: tasks.state })
          .from(tasks)
          .where(and(inArray(tasks.id, external), inArray(tasks.state, Object.keys(outcomeOfState))));
        for (const t of finished) settled[t.id] = outcomeOfState[t.state];
      }
      return {
        retired: false,
        tasks: rows.map((t) => ({
          id: t.id,
          code: t.code,
          kind: t.kind,
          dependsOn: t.dependsOn,
          throttledAfter: t.throttledAfter,
          notifies: t.notifies,
          plannedMinutes: t.plannedMinutes,
          retry: templates.get(t.code)?.retry ?? { maxAttempts: 1, backoffSeconds: [] },
          milestones: templates.get(t.code)?.milestones ?? [],
          system: t.system,
          mandatory: templates.get(t.code)?.mandatory ?? false,
          pointOfNoReturn: t.pointOfNoReturn,
        })),
        settled,
      };
    },

    /** Records as `cancelled` the tasks that never ran because something they depend on did not complete. */
    async cancelTasks(taskIds: string[], actor: string): Promise<void> {
      await db.transaction(async (tx) => {
        for (const id of taskIds) {
          await transition(tx, {
            entity: 'task',
            id,
            to: 'cancelled',
            eventKey: `task:${id}:not-run`,
            actor,
            details: { reason: 'something it depends on did not complete' },
          });
        }
      });
    },

    /**
     * Records as `cancelled` the domain orders that never ran because one they depend on did not
     * complete, and their tasks. Returns the tasks other domain orders wait on, to tell them.
     */
    async cancelDomainOrders(
      domainOrderIds: string[],
      actor: string,
    ): Promise<{ taskId: string; notifies: string[] }[]> {
      const awaited: { taskId: string; notifies: string[] }[] = [];
      await db.transaction(async (tx) => {
        for (const id of domainOrderIds) {
          await transition(tx, {
            entity: 'domainOrder',
            id,
            to: 'cancelled',
            eventKey: `domainOrder:${id}:not-run`,
            actor,
            details: { reason: 'a domain order it depends on did not complete' },
          });
          const own = await tx
            .select({ id: tasks.id, notifies: tasks.notifies })
            .from(tasks)
            .where(eq(tasks.domainOrderId, id));
          for (const t of own) {
            if (t.notifies.length > 0) awaited.push({ taskId: t.id, notifies: t.notifies });
            await transition(tx, {
              entity: 'task',
              id: t.id,
              to: 'cancelled',
              eventKey: `task:${t.id}:not-run`,
              actor,
              details: { reason: 'its domain order did not run' },
            });
          }
        }
      });
      return awaited;
    },

    /**
     * A running task is late: raises its jeopardy, rolls the risk forward to every task after it (in this
     * domain order and beyond), and raises its domain order's and order's level; each change recorded.
     * Returns the levels of the domain order and of the order after the change.
     */
    async raiseJeopardy(
      taskId: string,
      level: JeopardyLevel,
    ): Promise<{ domainOrder: JeopardyLevel; order: JeopardyLevel }> {
      return db.transaction(async (tx) => {
        const [task] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
        const below = jeopardyLevels.slice(0, jeopardyLevels.indexOf(level));
        // Successors: tasks that depend on it, and every task of a domain order that depends on its domain
        // order; then theirs, and so on.
        const successors = rowsOf<{ id: string }>(
          await tx.execute(sql`
            with recursive after(id, domain_order_id) as (
              select t.id, t.domain_order_id from tasks t join domain_orders d on d.id = t.domain_order_id
              where t.order_id = ${task.orderId}
                and (${taskId} = any(t.depends_on) or ${task.domainOrderId} = any(d.depends_on))
              union
              select t.id, t.domain_order_id from tasks t
                join domain_orders d on d.id = t.domain_order_id
                join after a on a.id = any(t.depends_on) or a.domain_order_id = any(d.depends_on)
              where t.order_id = ${task.orderId}
            ) select id from after`),
        ).map((r) => r.id);
        const raised = await tx
          .update(tasks)
          .set({ jeopardy: level })
          .where(and(inArray(tasks.id, [taskId, ...successors]), inArray(tasks.jeopardy, below)))
          .returning({ id: tasks.id, domainOrderId: tasks.domainOrderId });
        if (raised.length > 0) {
          await tx
            .insert(auditEvents)
            .values(
              raised.map((r) => ({
                eventKey: `jeopardy:${r.id}:${level}`,
                orderId: task.orderId,
                entityType: 'jeopardy',
                entityId: r.id,
                toState: level,
                actor: 'jeopardy-monitor',
                details: r.id === taskId ? { late: true } : { rolledForwardFrom: taskId },
              })),
            )
            .onConflictDoNothing();
          const domainOrderIds = [...new Set(raised.map((r) => r.domainOrderId))];
          await tx
            .update(domainOrders)
            .set({ jeopardy: level })
            .where(and(inArray(domainOrders.id, domainOrderIds), inArray(domainOrders.jeopardy, below)));
          await tx
            .update(orders)
            .set({ jeopardy: level })
            .where(and(eq(orders.id, task.orderId), inArray(orders.jeopardy, below)));
        }
        const [domainOrder] = await tx
          .select({ jeopardy: domainOrders.jeopardy })
          .from(domainOrders)
          .where(eq(domainOrders.id, task.domainOrderId));
        const [order] = await tx
          .select({ jeopardy: orders.jeopardy })
          .from(orders)
          .where(eq(orders.id, task.orderId));
        return { domainOrder: domainOrder.jeopardy, order: order.jeopardy };
      });
    },

    /**
     * Closes the order (stage 9), in one transaction. What a completed sub-order delivered goes live:
     * its product inventory `active` with billing started, one service in the service inventory per
     * completed domain order, a CMDB configuration item per service whose specification names a class
     * (related to the customer, the site, the products and the service). The product inventory of a
     * sub-order that did not complete is rolled back to `cancelled`. Then the order's final state.
     */
    async closeOrder(orderId: string, state: string, details?: Record<string, unknown>): Promise<void> {
      const order = await orderRow(orderId);
      const catalog = await catalogs.get(order.catalogVersion);
      const classOf = new Map(catalog.specifications.map((s) => [s.code, s.ciClass]));
      await db.transaction(async (tx) => {
        const [current] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
        if (current.completedAt) return; // closed by an earlier attempt
        const now = new Date().toISOString();
        const subs = await tx.select().from(subOrders).where(eq(subOrders.orderId, orderId));
        const siteOf = new Map(subs.map((s) => [s.id, s]));
        const delivered = new Set(subs.filter((s) => s.state === 'completed').map((s) => s.id));
        const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId));
        const subOrderOfItem = new Map(items.map((i) => [i.id, i.subOrderId]));
        const inventory = await tx
          .select()
          .from(productInventory)
          .where(eq(productInventory.orderId, orderId));
        for (const item of inventory) {
          const live = delivered.has(subOrderOfItem.get(item.orderItemId)!);
          await transition(tx, {
            entity: 'productInventory',
            id: item.id,
            to: live ? 'active' : 'cancelled',
            eventKey: `productInventory:${item.id}:${live ? 'active' : 'cancelled'}`,
            actor: 'order-workflow',
            details: live ? { billingStarted: now } : { reason: `order ${state}` },
          });
          if (live)
            await tx
              .update(productInventory)
              .set({ activatedAt: now, billingStartedAt: now })
              .where(eq(productInventory.id, item.id));
        }
        const inventoryOf = new Map(inventory.map((p) => [p.orderItemId, p.id]));
        const done = (
          await tx
            .select()
            .from(domainOrders)
            .where(and(eq(domainOrders.orderId, orderId), eq(domainOrders.state, 'completed')))
        ).filter((d) => delivered.has(d.subOrderId));
        const results = await tx
          .select({ domainOrderId: tasks.domainOrderId, code: tasks.code, result: tasks.result })
          .from(tasks)
          .where(eq(tasks.orderId, orderId));
        const resultsOf = new Map<string, typeof results>();
        for (const r of results)
          resultsOf.set(r.domainOrderId, [...(resultsOf.get(r.domainOrderId) ?? []), r]);
        const services = done.map((d) => ({
          id: `SI-${d.id}`,
          orderId,
          domainOrderId: d.id,
          accountId: order.accountId,
          serviceAccountId: siteOf.get(d.subOrderId)!.serviceAccountId,
          specCode: d.specCode,
          domain: d.domain,
          productInventoryIds: d.orderItemIds.map((i) => inventoryOf.get(i)!).filter(Boolean),
          state: 'active' as const,
          characteristics: Object.fromEntries(
            (resultsOf.get(d.id) ?? [])
              .filter((r) => r.result)
              .map((r) => [r.code, (r.result as { reference?: string }).reference ?? r.result]),
          ),
        }));
        for (const batch of chunks(services)) await tx.insert(serviceInventory).values(batch);
        const serviceOf = new Map(services.map((s) => [s.domainOrderId, s]));
        const configuration = done
          .filter((d) => classOf.get(d.specCode))
          .map((d) => {
            const service = serviceOf.get(d.id)!;
            return {
              id: `CI-${d.id}`,
              orderId,
              ciClass: classOf.get(d.specCode)!,
              name: `${classOf.get(d.specCode)} ${siteOf.get(d.subOrderId)!.name}`,
              customerAccountId: order.accountId,
              siteAccountId: service.serviceAccountId,
              productInventoryIds: service.productInventoryIds,
              serviceInventoryId: service.id,
              attributes: { specCode: d.specCode, domain: d.domain, ...service.characteristics },
            };
          });
        for (const batch of chunks(configuration)) await tx.insert(configurationItems).values(batch);
        await transition(tx, {
          entity: 'order',
          id: orderId,
          to: state,
          eventKey: `order:${orderId}:closed`,
          actor: 'order-workflow',
          details,
        });
        await tx.update(orders).set({ completedAt: now }).where(eq(orders.id, orderId));
      });
    },
  };
}

/**
 * Stores a decomposition: its domain orders and tasks with their planned dates and creation events, and
 * the sub-orders' due dates. Used for a new order and for the sites an amendment adds.
 */
export async function storePlan(
  tx: Tx,
  orderId: string,
  plan: Decomposition,
  at: (minutes: number) => string,
): Promise<void> {
  for (const batch of chunks(plan.domainOrders)) {
    await tx.insert(domainOrders).values(
      batch.map(({ dueMinutes, ...d }) => ({
        ...d,
        orderId,
        state: 'acknowledged',
        dueDate: at(dueMinutes),
      })),
    );
    await auditCreated(
      tx,
      orderId,
      'domainOrder',
      batch.map((c) => c.id),
      'acknowledged',
      'decomposition',
    );
  }
  for (const batch of chunks(plan.tasks)) {
    await tx.insert(tasks).values(
      batch.map(({ startMinutes, dueMinutes, ...t }) => ({
        ...t,
        orderId,
        state: 'pending',
        plannedStart: at(startMinutes),
        dueDate: at(dueMinutes),
      })),
    );
    await auditCreated(
      tx,
      orderId,
      'task',
      batch.map((c) => c.id),
      'pending',
      'decomposition',
    );
  }
  const dues = Object.entries(plan.subOrderDueMinutes).map(([id, m]) => sql`(${id}, ${at(m)})`);
  for (const batch of chunks(dues)) {
    await tx.execute(
      sql`update sub_orders set due_date = v.due::timestamptz from (values ${sql.join(batch, sql`, `)}) as v(id, due) where sub_orders.id = v.id`,
    );
  }
}

/** Product inventory for order items, `created` (inactive), once each, with its creation events. */
export async function storeProductInventory(
  tx: Tx,
  order: { id: string; accountId: string },
  items: (typeof orderItems.$inferSelect)[],
  serviceAccountOf: (item: typeof orderItems.$inferSelect) => string,
): Promise<void> {
  for (const batch of chunks(items)) {
    const created = await tx
      .insert(productInventory)
      .values(
        batch.map((item) => ({
          id: `PI-${item.id}`,
          orderId: order.id,
          orderItemId: item.id,
          accountId: order.accountId,
          serviceAccountId: serviceAccountOf(item),
          offeringCode: item.offeringCode,
          state: 'created',
        })),
      )
      .onConflictDoNothing()
      .returning({ id: productInventory.id });
    await auditCreated(
      tx,
      order.id,
      'productInventory',
      created.map((c) => c.id),
      'created',
      'order-workflow',
    );
  }
}

async function auditCreated(
  tx: Tx,
  orderId: string,
  entityType: string,
  ids: string[],
  state: string,
  actor: string,
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .insert(auditEvents)
    .values(
      ids.map((id) => ({
        eventKey: `${entityType}:${id}:created`,
        orderId,
        entityType,
        entityId: id,
        fromState: null,
        toState: state,
        actor,
      })),
    )
    .onConflictDoNothing();
}
