import { Context } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditEvents, tasks } from '../db/schema';
import { recordTmfEvents } from '../db/tmf-outbox';
import { failureOf, FailureType, refusal } from '../domain/failures';
import type { DownstreamSimulator } from '../downstream/simulator';
import type { TaskCompletion, TaskFailure } from '../workflows/contracts';
import { moveOne, rowsOf, transition, engineActor } from './transitions';

export function taskActivities(db: Db, simulator: DownstreamSimulator) {
  async function taskRow(taskId: string) {
    const task = await db.query.tasks.findFirst({ where: eq(tasks.id, taskId) });
    if (!task) throw refusal(FailureType.NotFound, `Task ${taskId} does not exist`);
    return task;
  }

  /** Moves the task to `completed` and stores what it produced, in one statement, once. */
  async function markCompleted(
    taskId: string,
    fields: { result: unknown; completedBy: string; note?: string | null },
    actor: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    // A retry after the first success changes nothing, not even the completion time. The point of no
    // return spreads to the bundle in the same statement: every order item the domain order realises.
    await moveOne(
      db,
      'task',
      { id: taskId, to: 'completed', eventKey: `task:${taskId}:completed`, actor, details },
      {
        also: sql`, result = ${JSON.stringify(fields.result)}::jsonb, completed_by = ${fields.completedBy},
          completed_at = now()${fields.note !== undefined ? sql`, note = ${fields.note}` : sql``}`,
        then: sql`,
        milestones as (
          insert into audit_events (event_key, order_id, entity_type, entity_id, to_state, actor, details)
          select 'milestone:' || item_id || ':pointOfNoReturn', m.order_id, 'milestone', item_id,
                 'pointOfNoReturn', ${actor}, jsonb_build_object('taskId', m.id, 'code', m.code)
          from moved m
          join domain_orders d on d.id = m.domain_order_id
          cross join lateral unnest(d.order_item_ids) as item_id
          where m.point_of_no_return
          on conflict do nothing
        )`,
      },
    );
  }

  return {
    /**
     * One attempt of an `api` task: marks it running, calls its downstream system with a key derived from
     * the task and the attempt (so a worker crash mid-call never orders twice), and marks it completed.
     * A downstream refusal marks the attempt failed and is thrown, non-retryable: the task workflow
     * applies the catalog's retry policy.
     */
    async runApiTask(taskId: string, attempt: number, customerId?: string): Promise<{ reference: string }> {
      const task = await taskRow(taskId);
      const actor = task.system ?? 'downstream';
      // Before anything is recorded: an offline system holds the task without spending the attempt.
      if (task.system) await simulator.ensureOnline(task.system);
      await moveOne(
        db,
        'task',
        {
          id: taskId,
          to: 'running',
          eventKey: `task:${taskId}:attempt-${attempt}:running`,
          actor: engineActor(),
          details: { attempt },
        },
        { also: sql`, attempts = ${attempt}, started_at = coalesce(started_at, now())` },
      );
      // Heartbeats while the call runs (the SDK sends at most one per 80 % of the heartbeat timeout). None
      // at the start: a call that answers within a second costs the server no heartbeat at all.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1000);
      try {
        // What the items of its bundle are configured as, as the amendments left them.
        const configuration = rowsOf<{ id: string; characteristics: Record<string, unknown> }>(
          await db.execute(
            sql`select oi.id, oi.characteristics from domain_orders d
                cross join lateral unnest(d.order_item_ids) as item(id)
                cross join lateral (
                  -- offset 0 keeps it a lookup by key per item: joined, the planner may scan every
                  -- item of the order for each task while its statistics still count a small table
                  select o.id, o.characteristics from order_items o where o.id = item.id offset 0
                ) oi
                where d.id = ${task.domainOrderId}`,
          ),
        ).filter((row) => Object.keys(row.characteristics ?? {}).length > 0);
        const response = await simulator.call({
          system: task.system ?? 'unknown',
          operation: task.code,
          taskCode: task.code,
          accountId: customerId,
          idempotencyKey: `task:${taskId}:attempt-${attempt}`,
          payload: configuration.length > 0 ? { configuration } : undefined,
        });
        if (response.refused) throw refusal(FailureType.DownstreamError, response.refused);
        await markCompleted(taskId, { result: response, completedBy: actor }, actor, {
          reference: response.reference,
        });
        return { reference: response.reference };
      } catch (err) {
        const refused = failureOf(err, FailureType.DownstreamError, FailureType.DownstreamTimeout);
        if (refused) {
          await transition(db, {
            entity: 'task',
            id: taskId,
            to: 'failed',
            eventKey: `task:${taskId}:attempt-${attempt}:failed`,
            actor,
            details: { attempt, reason: refused.message },
          });
        }
        throw err;
      } finally {
        clearInterval(beat);
      }
    },

    /** Puts a `manual`, `field` or `project` task in front of people: running, with a work order for the field. */
    async dispatchWorkItem(taskId: string, round = 0): Promise<void> {
      const task = await taskRow(taskId);
      const details: Record<string, unknown> = {};
      if (task.kind === 'field') {
        // The appointment is the first working slot after the planned lead time; a field scheduling system
        // would propose it. Kept on the task so the technician's work queue shows it.
        const appointment = new Date(Date.now() + 24 * 3600 * 1000);
        appointment.setUTCHours(8, 0, 0, 0);
        details.workOrder = `WO-${taskId}`;
        details.appointment = appointment.toISOString();
        await db.update(tasks).set({ result: details }).where(eq(tasks.id, taskId));
      }
      await db.update(tasks).set({ startedAt: new Date().toISOString() }).where(eq(tasks.id, taskId));
      await transition(db, {
        entity: 'task',
        id: taskId,
        to: 'running',
        eventKey: `task:${taskId}:dispatched${round ? `:${round}` : ''}`,
        actor: engineActor(),
        details,
      });
    },

    /** Its downstream system is offline: the task waits `onHold` (once per hold) until the system is back. */
    async recordTaskOnHold(taskId: string, system: string, hold: number): Promise<void> {
      await transition(db, {
        entity: 'task',
        id: taskId,
        to: 'onHold',
        eventKey: `task:${taskId}:onHold:${hold}`,
        actor: system,
        details: { reason: `${system} is offline` },
      });
    },

    isSystemOnline: (system: string): Promise<boolean> => simulator.isOnline(system),

    /** A task called back because its order is cancelled; work already completed stays for compensation. */
    async recordTaskCancelled(taskId: string, reason: string): Promise<void> {
      const task = await taskRow(taskId);
      if (task.state === 'completed') return;
      await transition(db, {
        entity: 'task',
        id: taskId,
        to: 'cancelled',
        eventKey: `task:${taskId}:called-back`,
        actor: engineActor(),
        details: { reason },
      });
    },

    /** A project milestone reached: recorded in the audit trail and on the task, once. */
    async recordMilestone(taskId: string, milestone: string, word: TaskCompletion): Promise<void> {
      const task = await taskRow(taskId);
      await db.transaction(async (tx) => {
        const [recorded] = await tx
          .insert(auditEvents)
          .values({
            eventKey: `milestone:${taskId}:${milestone}`,
            orderId: task.orderId,
            entityType: 'milestone',
            entityId: taskId,
            toState: milestone,
            actor: word.by,
            details: word.note ? { note: word.note } : null,
          })
          .onConflictDoNothing()
          .returning({ id: auditEvents.id });
        if (!recorded) return;
        const [row] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
        const result = (row.result as { milestones?: Record<string, string> } | null) ?? {};
        await tx
          .update(tasks)
          .set({
            result: {
              ...result,
              milestones: { ...result.milestones, [milestone]: new Date().toISOString() },
            },
          })
          .where(eq(tasks.id, taskId));
        await recordTmfEvents(tx, [
          {
            eventType: 'ProductOrderMilestoneEvent',
            orderId: task.orderId,
            description: `${taskId}: ${milestone}`,
          },
        ]);
      });
    },

    async recordTaskCompleted(taskId: string, completion: TaskCompletion): Promise<void> {
      const task = await taskRow(taskId);
      const result = { ...((task.result as Record<string, unknown>) ?? {}), ...(completion.data ?? {}) };
      await markCompleted(
        taskId,
        { completedBy: completion.by, note: completion.note ?? null, result },
        completion.by,
        completion.note ? { note: completion.note } : undefined,
      );
    },

    /**
     * The task cannot go on by itself: its retries are spent, or a person reported it failed. It waits in
     * `fatallyFailed`, the state a fall-out case works on.
     */
    async recordTaskFatallyFailed(taskId: string, failure: TaskFailure, round = 0): Promise<void> {
      await db.transaction(async (tx) => {
        const moved = await transition(tx, {
          entity: 'task',
          id: taskId,
          to: 'fatallyFailed',
          eventKey: `task:${taskId}:fatally-failed${round ? `:${round}` : ''}`,
          actor: failure.by,
          details: { reason: failure.reason },
        });
        if (moved) await tx.update(tasks).set({ note: failure.reason }).where(eq(tasks.id, taskId));
      });
    },
  };
}
