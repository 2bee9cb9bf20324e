import {
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import { assignmentGroupsOf, falloutPriorityOf, falloutTypeOf } from '../domain/fallout-policy';
import { failureMessage, FailureType, isFailure } from '../domain/failures';
import { rollUp, type DomainOrderState } from '../domain/states';
import { bookkeeping, withOptions } from './activity-proxies';
import {
  abortSignal,
  falloutChangedSignal,
  jeopardySignal,
  systemBackSignal,
  taskFinishedSignal,
  workflowId,
  type DomainOrderInput,
  type JeopardyLevel,
  type TaskOutcome,
  type TaskPlan,
} from './contracts';
import { FulfilmentNode } from './fulfilment-node';
import { fallout } from './fallout';
import { project } from './project';
import { childSearchAttributes, compensate, ControlRelay, itemStateOf } from './shared';
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
  const { minuteMs } = settings;
  const node = new FulfilmentNode<DomainOrderState>('domainOrder', domainOrderId, 'acknowledged', {
    name: `Domain order **${domainOrderId}** (${domain})`,
    children: 'tasks',
  });
  const settled = new Map<string, TaskOutcome>();
  setHandler(taskFinishedSignal, ({ taskId, outcome }) => void settled.set(taskId, outcome));
  // Hold: start no new task, pause the jeopardy clocks. Cancel: start nothing more, call back the people
  // working on tasks (their workflows are cancelled); api calls in flight finish and are compensated.
  const peopleAtWork = new Set<CancellationScope>();
  let heldSince: number | undefined;
  const relay = new ControlRelay(async (before) => {
    if (relay.control.cancelled && !before.cancelled) for (const scope of peopleAtWork) scope.cancel();
    if (relay.control.held && heldSince === undefined) heldSince = Date.now();
    if (!relay.control.held && heldSince !== undefined) {
      for (const c of clocks.values()) c.since += Date.now() - heldSince;
      heldSince = undefined;
      await checkClocks();
    }
  });
  const { control } = relay;

  const plan = await bookkeeping.startDomainOrder(domainOrderId, `${workflowInfo().workflowId}:inProgress`);
  if (plan.retired) {
    node.show('cancelled');
    return 'cancelled';
  }
  for (const [id, outcome] of Object.entries(plan.settled)) settled.set(id, outcome);
  node.progress.total = plan.tasks.length;
  node.show('inProgress');

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
    await condition(() => !control.held || control.cancelled);
    let outcome: TaskOutcome;
    if (control.cancelled) {
      await bookkeeping.cancelTasks([t.id], 'cancellation');
      outcome = 'cancelled';
    } else if (deps.every((d) => d === 'completed' || d === 'skipped')) {
      outcome = await node.track(
        () => watched(t, () => runWithFallouts(t)),
        (o) => o === 'completed' || o === 'skipped',
      );
    } else {
      await bookkeeping.cancelTasks([t.id], 'domain-order-workflow');
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

  /** Signals the sub-order and the order above (a closed one needs no word). */
  const tellAbove = async <T>(signal: SignalDefinition<[T]>, arg: T) => {
    await Promise.all(
      [workflowId.subOrder(input.subOrderId), workflowId.order(orderId)].map((id) =>
        getExternalWorkflowHandle(id)
          .signal(signal, arg)
          .catch(() => undefined),
      ),
    );
  };

  const runTask = async (t: TaskPlan, round: number): Promise<{ outcome: TaskOutcome; reason?: string }> => {
    if (t.kind === 'api') return runApiTask(t, round);
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

  /**
   * An `api` task: one activity per attempt, the catalog's waits between attempts. A round after a
   * fall-out's `retry` gets the policy's attempts again, numbered on (each attempt its own idempotency key).
   */
  const runApiTask = async (
    t: TaskPlan,
    round: number,
  ): Promise<{ outcome: TaskOutcome; reason?: string }> => {
    const { maxAttempts, backoffSeconds } = t.retry;
    for (let attempt = 1; ; attempt++) {
      const number = round * maxAttempts + attempt;
      try {
        // The call heartbeats: a worker that dies mid-call hands it to another within seconds, and the
        // retry reuses the attempt's idempotency key, so the downstream system acts once.
        await withOptions(
          'runApiTask',
          {
            summary: `${t.code} (${t.id}) attempt ${attempt}/${maxAttempts}${round ? `, round ${round + 1}` : ''}`,
            heartbeatTimeout: '5 seconds',
          },
          t.id,
          number,
          customerId,
        );
        return { outcome: 'completed' };
      } catch (err) {
        if (isFailure(err, FailureType.SystemOffline)) {
          // Not an attempt: the task waits onHold until its system is back, then tries the same attempt.
          attempt--;
          if ((await waitForSystem(t)) === 'cancelled') return { outcome: 'cancelled' };
          continue;
        }
        if (attempt >= maxAttempts) {
          const reason = `${attempt} attempts failed; last: ${failureMessage(err)}`;
          await bookkeeping.recordTaskFatallyFailed(t.id, { by: 'engine', reason }, round);
          return { outcome: 'failed', reason };
        }
        const wait = (backoffSeconds[Math.min(attempt - 1, backoffSeconds.length - 1)] ?? 1) * 1000;
        if (await condition(() => control.cancelled, wait)) return { outcome: 'cancelled' };
      }
    }
  };

  /**
   * A system marked offline holds its tasks: `onHold` until the API says it is back (signal `systemBack`
   * to the domain orders holding its tasks), checked again every minute in case that word was missed.
   */
  const systemsBack = new Set<string>();
  setHandler(systemBackSignal, ({ system }) => void systemsBack.add(system));
  let holds = 0;
  const waitForSystem = async (t: TaskPlan): Promise<'back' | 'cancelled'> => {
    const system = t.system!;
    systemsBack.delete(system);
    await bookkeeping.recordTaskOnHold(t.id, system, ++holds);
    for (;;) {
      await condition(() => systemsBack.has(system) || control.cancelled, 60_000);
      if (control.cancelled) return 'cancelled';
      if (systemsBack.has(system) || (await bookkeeping.isSystemOnline(system))) return 'back';
    }
  };

  /**
   * Jeopardy clocks of the running tasks: `yellow` past the planned duration, `red` past twice that. One
   * timer serves them all, set for the earliest next deadline and never cancelled (a finished task's
   * deadline just passes unnoticed), so a task that ends in time costs the history nothing.
   */
  const clocks = new Map<string, { since: number; planned: number; level: number }>();
  let armedFor = Infinity;
  const deadlineOf = (c: { since: number; planned: number; level: number }) =>
    c.since + c.planned * (c.level + 1);
  const arm = (at: number) => {
    if (at >= armedFor) return;
    armedFor = at;
    void sleep(Math.max(1, at - Date.now())).then(async () => {
      if (armedFor === at) armedFor = Infinity;
      await checkClocks();
    });
  };
  const checkClocks = async () => {
    if (control.held) return; // paused; resuming moves every clock on by the time held
    for (const [taskId, c] of clocks) {
      while (c.level < 2 && deadlineOf(c) <= Date.now()) {
        c.level++;
        await raiseJeopardy(taskId, c.level === 1 ? 'yellow' : 'red');
      }
    }
    const pending = [...clocks.values()].filter((c) => c.level < 2);
    if (pending.length > 0) arm(Math.min(...pending.map(deadlineOf)));
  };

  /** Runs a task with its jeopardy clock ticking. */
  const watched = async (t: TaskPlan, run: () => Promise<TaskOutcome>): Promise<TaskOutcome> => {
    const clock = { since: Date.now(), planned: Math.max(1, t.plannedMinutes * minuteMs), level: 0 };
    clocks.set(t.id, clock);
    arm(deadlineOf(clock));
    try {
      return await run();
    } finally {
      clocks.delete(t.id);
    }
  };

  const raiseJeopardy = async (taskId: string, level: JeopardyLevel) => {
    const levels = await bookkeeping.raiseJeopardy(taskId, level);
    if (node.raiseJeopardy(levels.domainOrder))
      await tellAbove(jeopardySignal, { level: levels.domainOrder });
  };

  /** Tells the domain orders waiting on the task how it ended; one not started yet reads it from the database. */
  const notify = async (t: TaskPlan, outcome: TaskOutcome) => {
    await Promise.all(
      t.notifies.map((id) =>
        getExternalWorkflowHandle(workflowId.domainOrder(id))
          .signal(taskFinishedSignal, { taskId: t.id, outcome })
          .catch(() => undefined),
      ),
    );
  };

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
