import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { refusalOf } from '../domain/fallout-policy';
import { failure, FailureType } from '../domain/failures';
import { bookkeeping } from './activity-proxies';
import {
  falloutStatusQuery,
  resolveUpdate,
  workUpdate,
  type FalloutInput,
  type FalloutResolution,
  type FalloutStatus,
} from './contracts';
import { State } from './search-attributes';

/**
 * A fall-out case (`fallout:<caseId>`, stage 8): opened for a task that cannot go on by itself, worked by
 * its assignment group, escalated to the next group each time `escalateAfterMs` passes, and resolved by
 * update `resolve` (API: `POST /fallouts/:id/resolve`) with `retry`, `skip`, `complete` or `abort`. The
 * validator refuses an action that does not fit; the resolution goes back to the waiting domain order.
 */
export async function fallout(input: FalloutInput): Promise<FalloutResolution> {
  const { caseId, assignmentGroups } = input;
  const status: FalloutStatus = {
    caseId,
    taskId: input.taskId,
    state: 'open',
    assignmentGroup: assignmentGroups[0],
    escalations: 0,
  };
  let requested: FalloutResolution | undefined;
  let moves = 0;

  const show = () => {
    upsertSearchAttributes([{ key: State, value: status.state }]);
    const outcome = status.resolution
      ? ` Resolved: **${status.resolution.action}** by ${status.resolution.by}.`
      : '';
    setCurrentDetails(
      `Fall-out **${caseId}** (${input.type}, ${input.priority}) on ${input.taskCode} is \`${status.state}\`, ` +
        `with **${status.assignmentGroup}**. ${input.reason}.${outcome}`,
    );
  };
  setHandler(falloutStatusQuery, () => status);
  setHandler(
    workUpdate,
    async ({ action, by, note }) => {
      const to = ({ take: 'inProgress', hold: 'onHold', release: 'open' } as const)[action];
      await bookkeeping.recordFalloutWork(caseId, to, by, note, ++moves);
      status.state = to;
      status.assignee = action === 'release' ? undefined : by;
      show();
      return status;
    },
    {
      validator: ({ action }) => {
        if (requested || status.state === 'resolved')
          throw failure(FailureType.InvalidState, `Fall-out ${caseId} is already resolved`);
        if (action === 'hold' && status.state === 'onHold')
          throw failure(FailureType.InvalidState, `Fall-out ${caseId} is already onHold`);
      },
    },
  );
  setHandler(
    resolveUpdate,
    async (resolution) => {
      requested = resolution;
      await condition(() => status.state === 'resolved');
      return status;
    },
    {
      validator: (resolution) => {
        const why =
          requested && status.state !== 'resolved'
            ? 'a resolution is already being recorded'
            : refusalOf(resolution.action, status.state, { id: input.taskId, mandatory: input.mandatory });
        if (why) throw failure(FailureType.InvalidState, `Fall-out ${caseId}: ${why}`);
      },
    },
  );

  try {
    await bookkeeping.openFallout(input);
    show();
    while (!requested) {
      // On hold (waiting on the customer, a supplier...), the escalation clock stops.
      if (status.state === 'onHold') {
        await condition(() => requested !== undefined || status.state !== 'onHold');
        continue;
      }
      const heard = await condition(
        () => requested !== undefined || status.state === 'onHold',
        input.escalateAfterMs,
      );
      if (requested) break;
      if (heard) continue;
      if (status.escalations + 1 >= assignmentGroups.length) {
        await condition(() => requested !== undefined);
        break;
      }
      // The record first, then the status the query reports: whoever sees the escalation in the workflow
      // finds it in `GET /fallouts` as well (read what you wrote). Same activity, same arguments: the
      // commands are those of the recorded histories.
      const escalations = status.escalations + 1;
      const group = assignmentGroups[escalations];
      await bookkeeping.escalateFallout(caseId, group, escalations);
      status.escalations = escalations;
      status.assignmentGroup = group;
      show();
    }
    await bookkeeping.resolveFallout(caseId, input.taskId, requested!);
    status.state = 'resolved';
    status.resolution = requested;
    show();
    await condition(allHandlersFinished);
    return requested!;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The order was cancelled while the case was open.
    await CancellationScope.nonCancellable(() => bookkeeping.cancelFallout(caseId));
    return { action: 'abort', by: 'cancellation', note: 'order cancelled' };
  }
}
