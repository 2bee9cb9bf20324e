import {
  condition,
  setCurrentDetails,
  setHandler,
  sleep,
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
 * One orchestration task. `api` tasks call their downstream system under the catalog's retry policy;
 * `manual`, `field` and `project` tasks wait for a person's `complete` or `fail` signal.
 */
export async function task(input: TaskInput): Promise<TaskResult> {
  let state: TaskState = 'pending';
  let attempts = 0;
  let completion: TaskCompletion | undefined;
  let failure: TaskFailure | undefined;
  setHandler(taskStatusQuery, () => ({ taskId: input.taskId, state, attempts }));
  // The first word counts. It is kept even if it arrives while the dispatch activity is still recording
  // `running` (the API saw `running` in the database first); an `api` task takes no word from people.
  const acceptsWord = () => input.kind !== 'api' && !completion && !failure;
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

  if (input.kind === 'api') {
    const { maxAttempts, backoffSeconds } = input.retry;
    for (attempts = 1; ; attempts++) {
      show('running', `Attempt ${attempts} of ${maxAttempts}.`);
      try {
        const { reference } = await withSummary(
          'runApiTask',
          `${input.code} attempt ${attempts}`,
          input.taskId,
          attempts,
        );
        show('completed', `Downstream reference ${reference}.`);
        return { state: 'completed' };
      } catch (err) {
        const reason = errorMessage(err);
        if (attempts >= maxAttempts) {
          show('failed', `Failed after ${attempts} attempts: ${reason}`);
          return { state: 'failed', reason };
        }
        show('failed', `Attempt ${attempts} failed (${reason}); retrying.`);
        await sleep(`${backoffSeconds[Math.min(attempts - 1, backoffSeconds.length - 1)] ?? 1} seconds`);
      }
    }
  }

  await withSummary(
    'dispatchWorkItem',
    `Dispatch ${input.code} to ${input.kind === 'field' ? 'a technician' : 'the back office'}`,
    input.taskId,
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
  await activities.recordTaskFailed(input.taskId, failure!);
  show('failed', `Reported failed by ${failure!.by}: ${failure!.reason}`);
  return { state: 'failed', reason: failure!.reason };
}

function errorMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err as Error).message ?? String(err);
}
