import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditEvents, falloutCases, tasks } from '../db/schema';
import { recordTmfEvents } from '../db/tmf-outbox';
import type { FalloutInput, FalloutResolution } from '../workflows/contracts';
import { transition, engineActor } from './transitions';

/** Fall-out cases in the database: opened, escalated and resolved once each, with their audit events. */
export function falloutActivities(db: Db) {
  return {
    async openFallout(input: FalloutInput): Promise<void> {
      await db.transaction(async (tx) => {
        const [opened] = await tx
          .insert(falloutCases)
          .values({
            id: input.caseId,
            orderId: input.orderId,
            domainOrderId: input.domainOrderId,
            taskId: input.taskId,
            type: input.type,
            priority: input.priority,
            assignmentGroup: input.assignmentGroups[0],
            state: 'open',
            reason: input.reason,
          })
          .onConflictDoNothing()
          .returning({ id: falloutCases.id });
        if (!opened) return;
        await tx.insert(auditEvents).values({
          eventKey: `falloutCase:${input.caseId}:open`,
          orderId: input.orderId,
          entityType: 'falloutCase',
          entityId: input.caseId,
          toState: 'open',
          actor: engineActor(),
          details: {
            taskId: input.taskId,
            type: input.type,
            priority: input.priority,
            assignmentGroup: input.assignmentGroups[0],
            reason: input.reason,
          },
        });
        // A case about the order's data can only be closed with information from outside (the customer, the CRM).
        if (input.type === 'validation')
          await recordTmfEvents(tx, [
            {
              eventType: 'ProductOrderInformationRequiredEvent',
              orderId: input.orderId,
              fieldPath: ['productOrderItem'],
              description: input.reason,
            },
          ]);
      });
    },

    /** Nobody resolved the case in time: it moves to the next assignment group. */
    async escalateFallout(caseId: string, assignmentGroup: string, escalations: number): Promise<void> {
      await db.transaction(async (tx) => {
        const moved = await transition(tx, {
          entity: 'falloutCase',
          id: caseId,
          to: 'open',
          eventKey: `falloutCase:${caseId}:escalated:${escalations}`,
          actor: engineActor(),
          details: { assignmentGroup, escalations },
        });
        if (moved)
          await tx
            .update(falloutCases)
            .set({ assignmentGroup, escalations })
            .where(eq(falloutCases.id, caseId));
      });
    },

    /** Someone took the case, put it on hold or released it. */
    async recordFalloutWork(
      caseId: string,
      to: string,
      by: string,
      note: string | undefined,
      move: number,
    ): Promise<void> {
      await transition(db, {
        entity: 'falloutCase',
        id: caseId,
        to,
        eventKey: `falloutCase:${caseId}:work:${move}`,
        actor: by,
        details: note ? { note } : undefined,
      });
    },

    /** The order was cancelled while the case was open: the case is cancelled with it. */
    async cancelFallout(caseId: string): Promise<void> {
      await transition(db, {
        entity: 'falloutCase',
        id: caseId,
        to: 'cancelled',
        eventKey: `falloutCase:${caseId}:cancelled`,
        actor: engineActor(),
        details: { reason: 'order cancelled' },
      });
    },

    /**
     * Records the resolution and what it does to the task, in one transaction: `skip` marks it skipped,
     * `complete` completed with the data given; `retry` sends it back to `pending` for another round;
     * `abort` leaves it failed.
     */
    async resolveFallout(caseId: string, taskId: string, resolution: FalloutResolution): Promise<void> {
      await db.transaction(async (tx) => {
        const moved = await transition(tx, {
          entity: 'falloutCase',
          id: caseId,
          to: 'resolved',
          eventKey: `falloutCase:${caseId}:resolved`,
          actor: resolution.by,
          details: { action: resolution.action, note: resolution.note },
        });
        if (!moved) return;
        await tx
          .update(falloutCases)
          .set({ resolution, resolvedAt: new Date().toISOString() })
          .where(eq(falloutCases.id, caseId));
        const next = { retry: 'pending', skip: 'skipped', complete: 'completed', abort: 'failed' }[
          resolution.action
        ];
        await transition(tx, {
          entity: 'task',
          id: taskId,
          to: next,
          eventKey: `task:${taskId}:${caseId}:${resolution.action}`,
          actor: resolution.by,
          details: { falloutCase: caseId, note: resolution.note },
        });
        if (resolution.action === 'complete') {
          await tx
            .update(tasks)
            .set({
              result: { ...resolution.data, completedFrom: caseId },
              completedBy: resolution.by,
              completedAt: new Date().toISOString(),
              note: resolution.note ?? null,
            })
            .where(eq(tasks.id, taskId));
        }
      });
    },
  };
}
