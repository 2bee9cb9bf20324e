import { Context } from '@temporalio/activity';
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { chunks } from './order-rows';
import { recordTmfEvents, settleCancellations } from '../db/tmf-outbox';
import {
  auditEvents,
  domainOrders,
  falloutCases,
  orders,
  productInventory,
  quotes,
  subOrders,
  tasks,
} from '../db/schema';
import type { ResourceEventType } from '../domain/tmf-events';
import type { Entity, Transition } from '../workflows/contracts';

const tables = {
  quote: quotes,
  order: orders,
  subOrder: subOrders,
  domainOrder: domainOrders,
  task: tasks,
  productInventory,
  falloutCase: falloutCases,
} as const satisfies Record<Entity, unknown>;

/** The state changes a read API's hub reports (TMF641, TMF637, TMF648), by entity. */
const resourceEvents = {
  domainOrder: 'ServiceOrderStateChangeEvent',
  productInventory: 'ProductStateChangeEvent',
  quote: 'QuoteStateChangeEvent',
} as const satisfies Partial<Record<Entity, ResourceEventType>>;

/**
 * Moves one entity to a new state and records the change in the audit trail, in one transaction and at
 * most once per `eventKey`. Returns false when the event was already recorded (a retry).
 */
export async function transition(db: Db | Tx, { entity, ...change }: Transition): Promise<boolean> {
  if (entity === 'task' || entity === 'subOrder' || entity === 'falloutCase')
    return moveOne(db, entity, change);
  return db.transaction(async (tx) => (await transitionMany(tx, entity, [change])).length > 0);
}

/**
 * `transition` of one entity whose moves no hub reports (a task, a sub-order, a fall-out case), in one
 * statement: atomic without a transaction of its own, one round trip instead of six (begin, lock, audit,
 * update, commit). `also` sets other columns of the row in the same update (for example a task's
 * attempts); `then` adds statements of the same transaction that read the moved row as `moved`. Throws
 * when the entity does not exist; false when the event was already recorded (a retry).
 */
export async function moveOne(
  db: Db | Tx,
  entity: 'task' | 'subOrder' | 'falloutCase',
  change: Omit<Transition, 'entity'>,
  { also = sql``, then = sql`` }: { also?: SQL; then?: SQL } = {},
): Promise<boolean> {
  const table = tables[entity];
  const details = change.details ? JSON.stringify(change.details) : null;
  const [result] = rowsOf<{ found: number; moved: number }>(
    await db.execute(sql`
      with current as (select id, state, order_id from ${table} where id = ${change.id} for update),
      recorded as (
        insert into audit_events
          (event_key, order_id, entity_type, entity_id, from_state, to_state, actor, actor_role, details)
        select ${change.eventKey}, order_id, ${entity}, id, state, ${change.to}, ${change.actor},
               ${change.actorRole ?? null}, ${details}::jsonb
        from current
        on conflict do nothing
        returning entity_id
      ),
      moved as (
        update ${table} set state = ${change.to}, updated_at = now()${also}
        where id in (select entity_id from recorded)
        returning *
      )${then}
      select (select count(*) from current)::int as found, (select count(*) from moved)::int as moved`),
  );
  if (Number(result.found) === 0) throw new Error(`${entity} ${change.id} does not exist`);
  return Number(result.moved) > 0;
}

/**
 * Moves entities of one kind, each with its audit event and at most once per `eventKey`, set-based: one
 * locking select, one audit insert and one update per state for each chunk of 500 rows, so closing a
 * 10,000-site order takes a handful of round trips. Runs in the caller's transaction, with the TMF hubs'
 * events of the moves (an order's state change and the end of its cancellations; a service order's,
 * product's or quote's state change). Answers the IDs that moved: a retry's recorded moves are not repeated.
 */
export async function transitionMany(
  tx: Db | Tx,
  entity: Entity,
  changes: Omit<Transition, 'entity'>[],
): Promise<string[]> {
  const table = tables[entity];
  const orderIdColumn = entity === 'order' ? sql`id` : entity === 'quote' ? sql`null` : sql`order_id`;
  const touch = entity === 'productInventory' ? sql`` : sql`, updated_at = now()`;
  const listOf = (ids: string[]) =>
    sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    );
  const moved: string[] = [];
  for (const chunk of chunks(changes)) {
    const ids = chunk.map((c) => c.id);
    const current = rowsOf<{ id: string; state: string; order_id: string | null }>(
      await tx.execute(
        sql`select id, state, ${orderIdColumn} as order_id from ${table} where id in (${listOf(ids)}) for update`,
      ),
    );
    const row = new Map(current.map((r) => [r.id, r]));
    const missing = ids.filter((id) => !row.has(id));
    if (missing.length > 0) throw new Error(`${entity} ${missing.join(', ')} does not exist`);
    const inserted = await tx
      .insert(auditEvents)
      .values(
        chunk.map((c) => ({
          eventKey: c.eventKey,
          orderId: row.get(c.id)!.order_id,
          entityType: entity,
          entityId: c.id,
          fromState: row.get(c.id)!.state,
          toState: c.to,
          actor: c.actor,
          actorRole: c.actorRole ?? null,
          details: c.details ?? null,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: auditEvents.entityId, to: auditEvents.toState });
    for (const to of new Set(inserted.map((i) => i.to))) {
      const movedTo = inserted.filter((i) => i.to === to).map((i) => i.id);
      await tx.execute(sql`update ${table} set state = ${to}${touch} where id in (${listOf(movedTo)})`);
    }
    // The TMF hubs' events, in the same transaction as the changes they report.
    if (entity === 'order')
      for (const { id, to } of inserted) {
        await recordTmfEvents(tx, [{ eventType: 'ProductOrderStateChangeEvent', orderId: id, state: to }]);
        await settleCancellations(tx, id, to);
      }
    else if (entity in resourceEvents && inserted.length > 0) {
      const eventType = resourceEvents[entity as keyof typeof resourceEvents];
      await recordTmfEvents(
        tx,
        inserted.map((i) => ({
          eventType,
          orderId: row.get(i.id)!.order_id ?? i.id,
          resourceId: i.id,
          state: i.to,
        })),
      );
    }
    moved.push(...inserted.map((i) => i.id));
  }
  return moved;
}

/** The state moves the workflows record themselves (a node's own state): one activity for them all. */
export function transitionActivities(db: Db) {
  return {
    /** Records any state change with its audit event, once per event key. */
    async recordTransition(change: Transition): Promise<boolean> {
      return transition(db, change);
    },
  };
}

/** postgres.js returns rows as the result itself, PGlite under `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Who the audit trail names for a change the engine makes itself: the workflow whose activity makes it
 * (`order:ORD-…`, `quote-approval:Q-…:v1`, `fallout:FO-…`). Outside an activity (a script, a test that
 * calls the function directly) it is `engine`.
 */
export function engineActor(): string {
  try {
    return Context.current().info.workflowExecution?.workflowId ?? 'engine';
  } catch {
    return 'engine';
  }
}
