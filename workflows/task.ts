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
  taskStatusQuery,
  type TaskCompletion,
  type TaskFailure,
  type TaskInput,
  type TaskResult,
} from './contracts';
import { State } from './search-attributes';

/**
 * A task done by people: `manual` (the back office) or `field` (a technician, with a work order and an
 * appointment). It is dispatched, then waits for signal `complete` or `fail`, sent through the API or by
 * any Temporal client.
 */
export async function task(input: TaskInput): Promise<TaskResult> {
  let state: TaskState = 'pending';
  let completion: TaskCompletion | undefined;
  let failure: TaskFailure | undefined;
  setHandler(taskStatusQuery, () => ({ taskId: input.taskId, state, attempts: 1 }));
  // The first word counts. It is kept even if it arrives while the dispatch activity is still recording
  // `running` (the API saw `running` in the database first).
  const acceptsWord = () => !completion && !failure;
  setHandler(completeSignal, (c) => {
    if (acceptsWord()) completion = c;
  });
  setHandler(failSignal, (f) => {
    if (acceptsWord()) failure = f;
  });
  const show = (next: TaskState, details: string) => {
    state = next;
    upsertSearchAttributes([{ key: State, value: next }]);
    setCurrentDetails(`**${input.code}** (${input.kind}) is \`${next}\`. ${details}`);
  };

  try {
    await withSummary(
      'dispatchWorkItem',
      `Dispatch ${input.code} to ${input.kind === 'field' ? 'a technician' : 'the back office'}`,
      input.taskId,
      input.round ?? 0,
    );
    show(
      'running',
      input.kind === 'field'
        ? 'Waiting for the technician to complete it.'
        : 'Waiting for the back office to complete it.',
    );
    await condition(() => completion !== undefined || failure !== undefined);
    if (completion) {
      await activities.recordTaskCompleted(input.taskId, completion);
      show('completed', `Completed by ${completion.by}.`);
      return { state: 'completed' };
    }
    await activities.recordTaskFatallyFailed(input.taskId, failure!, input.round ?? 0);
    show('fatallyFailed', `Reported failed by ${failure!.by}: ${failure!.reason}`);
    return { state: 'failed', reason: failure!.reason };
  } catch (err) {
    // The order was cancelled while people worked on it: the task is called back.
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() =>
      activities.recordTaskCancelled(input.taskId, 'order cancelled'),
    );
    show('cancelled', 'Called back: the order was cancelled.');
    return { state: 'cancelled' };
  }
}
