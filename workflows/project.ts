import {
  CancellationScope,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { TaskState } from '../domain/states';
import { activities, withSummary } from './activity-proxies';
import {
  completeSignal,
  failSignal,
  projectStatusQuery,
  type ProjectInput,
  type TaskCompletion,
  type TaskFailure,
  type TaskResult,
} from './contracts';
import { State } from './search-attributes';

/**
 * A special project (`project:<taskId>`), for large multi-site deployments: the project manager reaches
 * the catalog's milestones in turn, each with signal `complete` (API: `POST /tasks/:id/complete`; `data`
 * may name the milestone, which must then be the next one). Each milestone is recorded; the last one
 * completes the task. Signal `fail` stops the project.
 */
export async function project(input: ProjectInput): Promise<TaskResult> {
  let state: TaskState = 'pending';
  const reached: string[] = [];
  const words: TaskCompletion[] = [];
  let failure: TaskFailure | undefined;
  const next = () => input.milestones[reached.length];
  setHandler(projectStatusQuery, () => ({ taskId: input.taskId, state, reached, next: next() }));
  setHandler(completeSignal, (c) => {
    const named = c.data?.milestone;
    // A word for another milestone than the next one is ignored, not applied out of order.
    if (named === undefined || named === input.milestones[reached.length + words.length]) words.push(c);
  });
  setHandler(failSignal, (f) => {
    failure ??= f;
  });
  const show = (to: TaskState) => {
    state = to;
    upsertSearchAttributes([{ key: State, value: to }]);
    const upcoming = next() ? ` Next milestone: **${next()}**.` : '';
    setCurrentDetails(
      `Project **${input.code}** is \`${to}\`: ${reached.length}/${input.milestones.length} milestones reached.${upcoming}`,
    );
  };

  try {
    await withSummary(
      'dispatchWorkItem',
      `Open project ${input.code} for the project manager`,
      input.taskId,
      input.round ?? 0,
    );
    show('running');
    while (reached.length < input.milestones.length) {
      await condition(() => words.length > 0 || failure !== undefined);
      if (failure) {
        await activities.recordTaskFatallyFailed(input.taskId, failure, input.round ?? 0);
        show('fatallyFailed');
        return { state: 'failed', reason: failure.reason };
      }
      const word = words.shift()!;
      const milestone = next()!;
      await withSummary('recordMilestone', `Milestone ${milestone}`, input.taskId, milestone, word);
      reached.push(milestone);
      show('running');
    }
    await activities.recordTaskCompleted(input.taskId, {
      by: 'project',
      data: { milestonesReached: reached },
      note: `all ${reached.length} milestones reached`,
    });
    show('completed');
    return { state: 'completed' };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() =>
      activities.recordTaskCancelled(input.taskId, 'order cancelled'),
    );
    show('cancelled');
    return { state: 'cancelled' };
  }
}
