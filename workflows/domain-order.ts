import {
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import { assignmentGroupsOf, falloutPriorityOf, falloutTypeOf } from '../domain/fallout-policy';
import { rollUp, type DomainOrderState } from '../domain/states';
import { bookkeeping } from './activity-proxies';
import { ApiTasks, type TaskRun } from './api-tasks';
import {
  abortSignal,
  falloutChangedSignal,
  jeopardySignal,
  taskFinishedSignal,
  workflowId,
  type DomainOrderInput,
  type JeopardyLevel,
  type TaskOutcome,
  type TaskPlan,
} from './contracts';
import { fallout } from './fallout';
import { FulfilmentNode } from './fulfilment-node';
import { JeopardyClocks } from './jeopardy-clocks';
import { project } from './project';
import { childSearchAttributes, compensate, ControlRelay, itemStateOf, signalEach } from './shared';
import { task } from './task';

/**
 * A domain order (TMF641 service order): runs its task plan as a dependency graph, as fast as the graph
 * allows. `api` tasks are activities against their downstream system under the catalog's retry policy;
 * `manual` and `field` tasks are `task:<id>` child workflows that wait for people; `project` tasks are
 * `project:<id>` child workflows with milestones. A task may also wait on tasks of other domain orders
 * (a `scope: order` dependency, a throttle lane): their domain orders signal `taskFinished`. Every running
 * task has a jeopardy clock from its planned duration.
 */
export async function domainOrder(input: DomainOrderInput): Promise<DomainOrderState> {
  const { domainOrderId, orderId, customerId, domain, settings } = input;
  const node = new FulfilmentNode<DomainOrderState>('domainOrder', domainOrderId, 'acknowledged', {
    name: `Domain order **${domainOrderId}** (${domain})`,
    children: 'tasks',
  });
  const settled = new Map<string, TaskOutcome>();
  setHandler(taskFinishedSignal, ({ taskId, outcome }) => void settled.set(taskId, outcome));

  /** Signals the sub-order and the order above. */
  const tellAbove = <T>(signal: SignalDefinition<[T]>, arg: T) =>
    signalEach([workflowId.subOrder(input.subOrderId), workflowId.order(orderId)], signal, arg);
  // A task late past its plan raises its jeopardy; a rise of the domain order's own level goes up.
  const clocks = new JeopardyClocks(
    settings.minuteMs,
    () => control.held,
    async (taskId: string, level: JeopardyLevel) => {
      const levels = await bookkeeping.raiseJeopardy(taskId, level);
      if (node.raiseJeopardy(levels.domainOrder))
        await tellAbove(jeopardySignal, { level: levels.domainOrder });
    },
  );
  // Hold: start no new task, pause the jeopardy clocks. Cancel: start nothing more, call back the people
  // working on tasks (their workflows are cancelled); api calls in flight finish and are compensated.
  const peopleAtWork = new Set<CancellationScope>();
  const relay = new ControlRelay(async (before) => {
    if (relay.control.cancelled && !before.cancelled) for (const scope of peopleAtWork) scope.cancel();
    if (relay.control.held) clocks.pause();
    else await clocks.resume();
  });
  const { control } = relay;

  const plan = await bookkeeping.startDomainOrder(domainOrderId, `${workflowInfo().workflowId}:inProgress`);
  if (plan.retired) {
    node.show('cancelled');
    return 'cancelled';
  }
  for (const [id, outcome] of Object.entries(plan.settled)) settled.set(id, outcome);
  node.progress.total = plan.tasks.length;
  node.show('inProgress', { upsert: !input.shownInProgress });
  const apiTasks = new ApiTasks(customerId, control);

  const own = new Map(plan.tasks.map((t) => [t.id, t]));
  const runs = new Map<string, Promise<TaskOutcome>>();
  const outcomeOf = (id: string): Promise<TaskOutcome> => {
    let run = runs.get(id);
    if (!run) {
      const t = own.get(id);
      run = t
        ? runWhenReady(t)
        : condition(() => settled.has(id) || control.cancelled).then(() => settled.get(id) ?? 'cancelled');
      runs.set(id, run);
    }
    return run;
  };

  const runWhenReady = async (t: TaskPlan): Promise<TaskOutcome> => {
    const deps = await Promise.all(t.dependsOn.map(outcomeOf));
    await Promise.all(t.throttledAfter.map(outcomeOf));
    if (control.held && !control.cancelled) {
      // Counted for the status query only: no command changes, recorded histories replay as before.
      node.waitingOnHold++;
      await condition(() => !control.held || control.cancelled);
      node.waitingOnHold--;
    }
    let outcome: TaskOutcome;
    if (control.cancelled) {
      await bookkeeping.cancelTasks([t.id], workflowInfo().workflowId);
      outcome = 'cancelled';
    } else if (deps.every((d) => d === 'completed' || d === 'skipped')) {
      outcome = await node.track(
        () => clocks.watch(t, () => runWithFallouts(t)),
        (o) => o === 'completed' || o === 'skipped',
      );
    } else {
      await bookkeeping.cancelTasks([t.id], workflowInfo().workflowId);
      outcome = 'cancelled';
    }
    await notify(t, outcome);
    return outcome;
  };

  /**
   * Runs the task; when it cannot go on by itself it waits in `fatallyFailed` while a fall-out case is
   * worked, and only the tasks that depend on it wait with it. The case's resolution decides: run it
   * again, skip it, take it as completed, or abort (the task stays failed).
   */
  const runWithFallouts = async (t: TaskPlan): Promise<TaskOutcome> => {
    let round = 0;
    let run = await runTask(t, round);
    while (run.outcome === 'failed') {
      round++;
      const type = falloutTypeOf({ ...t, domain });
      const caseId = `FO-${t.id}-${round}`;
      await falloutsChanged(+1);
      const resolution = await byPeople(() =>
        executeChild(fallout, {
          workflowId: workflowId.fallout(caseId),
          args: [
            {
              caseId,
              taskId: t.id,
              taskCode: t.code,
              domainOrderId,
              orderId,
              customerId,
              domain,
              type,
              priority: falloutPriorityOf({ ...t, domain }),
              assignmentGroups: assignmentGroupsOf(type),
              escalateAfterMs: settings.falloutEscalationMs,
              mandatory: t.mandatory,
              reason: run.reason ?? 'failed',
            },
          ],
          staticSummary: `Fall-out ${caseId}: ${type} on ${t.code} (${run.reason ?? 'failed'})`,
          typedSearchAttributes: childSearchAttributes(orderId, customerId, 'open', domain),
        }),
      );
      await falloutsChanged(-1);
      if (resolution === 'cancelled' || control.cancelled) return 'cancelled';
      if (resolution.action === 'retry') run = await runTask(t, round);
      else if (resolution.action === 'skip') return 'skipped';
      else if (resolution.action === 'complete') return 'completed';
      else {
        // Abort fails the order: it stops what still runs, compensates, and ends failed or partial.
        await getExternalWorkflowHandle(workflowId.order(orderId))
          .signal(abortSignal, { caseId, taskId: t.id, by: resolution.by })
          .catch(() => undefined);
        return 'failed';
      }
    }
    return run.outcome;
  };

  /** Shows `FalloutOpen` here and tells the sub-order and the order, which show it too. */
  const falloutsChanged = async (delta: number) => {
    node.countFallouts(delta);
    await tellAbove(falloutChangedSignal, { delta });
  };

  const runTask = async (t: TaskPlan, round: number): Promise<TaskRun> => {
    if (t.kind === 'api') return apiTasks.run(t, round);
    const common = {
      typedSearchAttributes: childSearchAttributes(orderId, customerId, 'pending', domain),
    };
    if (t.kind === 'project') {
      const result = await byPeople(() =>
        executeChild(project, {
          ...common,
          workflowId: workflowId.project(t.id),
          args: [{ taskId: t.id, orderId, customerId, code: t.code, milestones: t.milestones, round }],
          staticSummary: `Project ${t.code} of ${domainOrderId}: ${t.milestones.join(' → ')}`,
        }),
      );
      return result === 'cancelled'
        ? { outcome: 'cancelled' }
        : { outcome: result.state, reason: result.reason };
    }
    const result = await byPeople(() =>
      executeChild(task, {
        ...common,
        workflowId: workflowId.task(t.id),
        args: [
          { taskId: t.id, orderId, customerId, domain, kind: t.kind, code: t.code, retry: t.retry, round },
        ],
        staticSummary: `${t.kind} task ${t.code} of ${domainOrderId}${round ? ` (round ${round + 1})` : ''}`,
      }),
    );
    return result === 'cancelled'
      ? { outcome: 'cancelled' }
      : { outcome: result.state, reason: result.reason };
  };

  /** A child workflow people work on, called back (cancelled) if the order is cancelled meanwhile. */
  const byPeople = async <T>(run: () => Promise<T>): Promise<T | 'cancelled'> => {
    if (control.cancelled) return 'cancelled';
    const scope = new CancellationScope();
    peopleAtWork.add(scope);
    try {
      return await scope.run(run);
    } catch (err) {
      if (control.cancelled) return 'cancelled';
      throw err;
    } finally {
      peopleAtWork.delete(scope);
    }
  };

  /** Tells the domain orders waiting on the task how it ended; one not started yet reads it from the database. */
  const notify = (t: TaskPlan, outcome: TaskOutcome) =>
    signalEach(t.notifies.map(workflowId.domainOrder), taskFinishedSignal, { taskId: t.id, outcome });

  const outcomes = await Promise.all(plan.tasks.map((t) => outcomeOf(t.id)));
  if (control.retire) {
    // An amendment removed what this domain order delivers: undo its completed work, latest first.
    await CancellationScope.nonCancellable(async () => {
      await compensate(await bookkeeping.retiredWork(domainOrderId), customerId, () => 'amendment');
    });
  }
  const states = outcomes.map(itemStateOf);
  const final = control.cancelled
    ? states.includes('failed')
      ? 'failed'
      : 'cancelled'
    : (rollUp(states) as DomainOrderState);
  await node.move(final);
  return final;
}
