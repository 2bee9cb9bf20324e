import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import {
  abortSignal,
  completeSignal,
  controlSignal,
  defaultFulfilmentSettings,
  falloutStatusQuery,
  resolveUpdate,
  statusQuery,
  systemBackSignal,
  taskStatusQuery,
  workflowId,
  workUpdate,
  type JeopardyLevel,
} from '../../workflows/contracts';
import type { domainOrder } from '../../workflows/index';
import { argsOf, startStubbedWorker, unique, until, type WorkflowTestEnv } from './stubbed-worker';

type TaskPlan = Awaited<ReturnType<Activities['startDomainOrder']>>['tasks'][number];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SYSTEM = 'carrier-gateway';

/** The task plans `startDomainOrder` hands each domain order, by its ID. */
const plans = new Map<string, TaskPlan[]>();
/** How each api task's attempts go: by task ID, the attempt number in, a result or a thrown failure out. */
const apiBehaviour = new Map<string, (attempt: number) => { reference: string }>();
/** When each attempt of an api task was scheduled, in server time. */
const attemptsAt = new Map<string, { attempt: number; at: number }[]>();
/** Downstream systems currently offline, as `isSystemOnline` answers. */
const offline = new Set<string>();

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startStubbedWorker({
    startDomainOrder: async (domainOrderId) => ({
      retired: false,
      tasks: plans.get(domainOrderId) ?? [],
      settled: {},
    }),
    recordTransition: async () => true,
    runApiTask: async (taskId, attempt) => {
      const at = Context.current().info.scheduledTimestampMs;
      attemptsAt.set(taskId, [...(attemptsAt.get(taskId) ?? []), { attempt, at }]);
      return (apiBehaviour.get(taskId) ?? (() => ({ reference: `REF-${taskId}-${attempt}` })))(attempt);
    },
    recordTaskFatallyFailed: async () => {},
    recordTaskOnHold: async () => {},
    isSystemOnline: async (system) => !offline.has(system),
    cancelTasks: async () => {},
    raiseJeopardy: async (_taskId, level) => ({ domainOrder: level, order: level }),
    dispatchWorkItem: async () => {},
    recordTaskCompleted: async () => {},
    openFallout: async () => {},
    escalateFallout: async () => {},
    recordFalloutWork: async () => {},
    resolveFallout: async () => {},
  });
});
afterEach(async () => {
  await t?.endLeftovers();
});
afterAll(async () => {
  await t?.stop();
});

const task = (id: string, fields: Partial<TaskPlan> = {}): TaskPlan => ({
  id,
  code: 'ORDER_CARRIER_CIRCUIT',
  kind: 'api',
  dependsOn: [],
  throttledAfter: [],
  notifies: [],
  plannedMinutes: 10,
  retry: { maxAttempts: 1, backoffSeconds: [] },
  milestones: [],
  system: SYSTEM,
  mandatory: false,
  pointOfNoReturn: false,
  ...fields,
});

const refusal = (message: string) =>
  ApplicationFailure.create({ type: 'DownstreamError', nonRetryable: true, message });
const offlineFailure = () =>
  ApplicationFailure.create({ type: 'SystemOffline', nonRetryable: true, message: `${SYSTEM} is offline` });

/** Starts a domain order of a new order over the tasks given (IDs made unique), as its sub-order would. */
async function startDomainOrder(tasks: (prefix: string) => TaskPlan[]) {
  const orderId = `ORD-${unique()}`;
  const domainOrderId = `${orderId}-S01-D01`;
  const planned = tasks(`${domainOrderId}-`);
  plans.set(domainOrderId, planned);
  const handle = await t.start<typeof domainOrder>('domainOrder', {
    workflowId: workflowId.domainOrder(domainOrderId),
    args: [
      {
        domainOrderId,
        subOrderId: `${orderId}-S01`,
        orderId,
        customerId: 'ACC-1',
        domain: 'access',
        settings: defaultFulfilmentSettings, // a planned minute lasts a minute; cases escalate after 4 hours
      },
    ],
  });
  const ids = planned.map((p) => p.id);
  return { orderId, domainOrderId, handle, ids };
}

const statusOf = (handle: WorkflowHandle) => handle.query(statusQuery);
const callsFor = (name: keyof Activities, taskId: string) =>
  t.calls.filter((c) => c.name === name && c.args[0] === taskId);
const falloutOf = (caseId: string) => t.env.client.workflow.getHandle(workflowId.fallout(caseId));

async function updateRefusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

describe('domain order on the time-skipping server', () => {
  it('turns a late task yellow past its plan and red past twice its plan, with the clock paused while held', async () => {
    const { handle, ids } = await startDomainOrder((p) => [
      task(`${p}T01`, { kind: 'field', code: 'INSTALL_BROADBAND_MODEM', plannedMinutes: 60 }),
      task(`${p}T02`, { dependsOn: [`${p}T01`] }),
    ]);
    const [visit, activation] = ids;
    const visitTask = t.env.client.workflow.getHandle(workflowId.task(visit));
    await until(
      () => visitTask.query(taskStatusQuery),
      (s) => s.state === 'running',
      'the visit dispatched',
    );
    const levels = () =>
      argsOf(t.calls, 'raiseJeopardy')
        .filter(([id]) => ids.includes(id))
        .map(([id, level]) => `${id === visit ? 'visit' : id}:${level}`);
    const jeopardy = (level: JeopardyLevel) =>
      until(
        () => statusOf(handle),
        (s) => s.jeopardy === level,
        `jeopardy ${level}`,
      );

    await t.env.sleep(59 * MINUTE);
    expect((await statusOf(handle)).jeopardy).toBe('green');
    await t.env.sleep(2 * MINUTE);
    await jeopardy('yellow');
    expect(levels()).toEqual(['visit:yellow']);

    // Held for three hours: past twice the plan on the wall clock, but the clock stands still.
    await handle.signal(controlSignal, { held: true, cancelled: false });
    await t.env.sleep(3 * HOUR);
    expect((await statusOf(handle)).jeopardy).toBe('yellow');
    await handle.signal(controlSignal, { held: false, cancelled: false });
    await t.env.sleep(57 * MINUTE); // 118 minutes of clock time
    expect(levels()).toEqual(['visit:yellow']);
    await t.env.sleep(3 * MINUTE);
    await jeopardy('red');
    expect(levels()).toEqual(['visit:yellow', 'visit:red']);

    // The technician finishes; the activation that waited on the visit runs at once, in time.
    await visitTask.signal(completeSignal, { by: 'technician-17' });
    expect(await handle.result()).toBe('completed');
    expect(callsFor('runApiTask', activation)).toHaveLength(1);
    expect(levels()).toEqual(['visit:yellow', 'visit:red']);
    expect(await statusOf(handle)).toMatchObject({
      state: 'completed',
      jeopardy: 'red',
      progress: { total: 2, completed: 2, failed: 0, running: 0 },
    });
  });

  it('waits the catalog backoff between attempts, opens a case that escalates after 4 hours, and retries on request', async () => {
    const { handle, ids } = await startDomainOrder((p) => [
      task(`${p}T01`, { retry: { maxAttempts: 3, backoffSeconds: [30, 120] } }),
      task(`${p}T02`, { dependsOn: [`${p}T01`] }),
    ]);
    const [circuit, dependent] = ids;
    apiBehaviour.set(circuit, (attempt) => {
      if (attempt <= 3) throw refusal(`carrier refused attempt ${attempt}`);
      return { reference: 'CIRCUIT-42' };
    });
    const caseId = `FO-${circuit}-1`;
    const fallout = falloutOf(caseId);

    // Attempt 1 at once; the next ones only once their waits have passed.
    await until(
      async () => attemptsAt.get(circuit)?.length,
      (n) => n === 1,
      'the first attempt',
    );
    await t.env.sleep(29_000);
    expect(attemptsAt.get(circuit)).toHaveLength(1);
    await t.env.sleep(3 * MINUTE);
    const open = await until(
      () => fallout.query(falloutStatusQuery),
      (s) => s.state === 'open',
      'the case',
    );
    expect(open.assignmentGroup).toBe('provisioning-tier1');
    const attempts = attemptsAt.get(circuit)!;
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Each wait is the policy's (plus the attempt itself and a workflow task, in real time).
    const waits = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
    expect(waits[0]).toBeGreaterThanOrEqual(30_000);
    expect(waits[0]).toBeLessThan(35_000);
    expect(waits[1]).toBeGreaterThanOrEqual(120_000);
    expect(waits[1]).toBeLessThan(125_000);
    expect(argsOf(t.calls, 'recordTaskFatallyFailed')).toContainEqual([
      circuit,
      {
        by: expect.stringMatching(/^domain-order:/),
        reason: '3 attempts failed; last: carrier refused attempt 3',
      },
      0,
    ]);
    // Only what depends on the failed task waits; the case shows on the domain order.
    expect(await statusOf(handle)).toMatchObject({ state: 'inProgress', falloutsOpen: 1 });
    expect(callsFor('runApiTask', dependent)).toHaveLength(0);

    await t.env.sleep(4 * HOUR + MINUTE);
    await until(
      () => fallout.query(falloutStatusQuery),
      (s) => s.assignmentGroup === 'provisioning-tier2',
      'the escalation',
    );
    expect(argsOf(t.calls, 'escalateFallout')).toContainEqual([caseId, 'provisioning-tier2', 1]);

    const resolved = await fallout.executeUpdate(resolveUpdate, { args: [{ action: 'retry', by: 'noc-3' }] });
    expect(resolved).toMatchObject({ state: 'resolved', resolution: { action: 'retry', by: 'noc-3' } });
    expect(await handle.result()).toBe('completed');
    // The new round numbers its attempts on, so each has an idempotency key of its own.
    expect(attemptsAt.get(circuit)!.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(callsFor('runApiTask', dependent)).toHaveLength(1);
    expect(await statusOf(handle)).toMatchObject({ falloutsOpen: 0, progress: { completed: 2, failed: 0 } });
  });

  it("stops a case's escalation clock while it is on hold and starts it again on release", async () => {
    const { handle, ids } = await startDomainOrder((p) => [task(`${p}T01`)]);
    const [circuit] = ids;
    apiBehaviour.set(circuit, (attempt) => {
      if (attempt === 1) throw refusal('carrier refused');
      return { reference: 'CIRCUIT-43' };
    });
    const caseId = `FO-${circuit}-1`;
    const fallout = falloutOf(caseId);
    const escalations = () => argsOf(t.calls, 'escalateFallout').filter(([id]) => id === caseId);
    await until(
      () => fallout.query(falloutStatusQuery),
      (s) => s.state === 'open',
      'the case',
    );
    await fallout.executeUpdate(workUpdate, { args: [{ action: 'take', by: 'noc-3' }] });
    const held = await fallout.executeUpdate(workUpdate, {
      args: [{ action: 'hold', by: 'noc-3', note: 'customer back on Monday' }],
    });
    expect(held).toMatchObject({ state: 'onHold', escalations: 0 });

    // Three times the 4-hour deadline on hold: no escalation.
    await t.env.sleep(12 * HOUR);
    expect(await fallout.query(falloutStatusQuery)).toMatchObject({ state: 'onHold', escalations: 0 });
    expect(escalations()).toEqual([]);

    // Released, the clock starts again: escalated once its 4 hours have passed, not before.
    await fallout.executeUpdate(workUpdate, { args: [{ action: 'release', by: 'noc-3' }] });
    await t.env.sleep(4 * HOUR - MINUTE);
    expect(await fallout.query(falloutStatusQuery)).toMatchObject({ escalations: 0 });
    await t.env.sleep(2 * MINUTE);
    await until(
      () => fallout.query(falloutStatusQuery),
      (s) => s.escalations === 1,
      'the escalation after release',
    );
    expect(escalations()).toEqual([[caseId, 'provisioning-tier2', 1]]);

    await fallout.executeUpdate(resolveUpdate, { args: [{ action: 'retry', by: 'noc-3' }] });
    expect(await handle.result()).toBe('completed');
  });

  it('refuses to skip a mandatory task, completes it by hand, skips an optional one, and releases their dependent', async () => {
    const { handle, ids } = await startDomainOrder((p) => [
      task(`${p}T01`, { code: 'RESERVE_IP_BLOCK' }),
      task(`${p}T02`, { code: 'ACTIVATE_ONNET_PORT', mandatory: true }),
      task(`${p}T03`, { dependsOn: [`${p}T01`, `${p}T02`] }),
    ]);
    const [optional, mandatory, dependent] = ids;
    for (const id of [optional, mandatory])
      apiBehaviour.set(id, () => {
        throw refusal('no capacity');
      });
    await until(
      () => statusOf(handle),
      (s) => s.falloutsOpen === 2,
      'both cases open',
    );
    const optionalCase = falloutOf(`FO-${optional}-1`);
    const mandatoryCase = falloutOf(`FO-${mandatory}-1`);
    for (const c of [optionalCase, mandatoryCase])
      await until(
        () => c.query(falloutStatusQuery),
        (s) => s.state === 'open',
        'the case started',
      );

    const refused = await updateRefusal(
      mandatoryCase.executeUpdate(resolveUpdate, { args: [{ action: 'skip', by: 'noc-3' }] }),
    );
    expect(refused).toMatchObject({ type: 'InvalidState' });
    expect(refused.message).toMatch(/mandatory/);
    expect((await mandatoryCase.query(falloutStatusQuery)).state).toBe('open');

    await optionalCase.executeUpdate(resolveUpdate, { args: [{ action: 'skip', by: 'noc-3' }] });
    await until(
      () => statusOf(handle),
      (s) => s.falloutsOpen === 1,
      'one case left',
    );
    expect(callsFor('runApiTask', dependent)).toHaveLength(0); // still waits on the mandatory task

    const data = { portId: 'PORT-7' };
    await mandatoryCase.executeUpdate(resolveUpdate, {
      args: [{ action: 'complete', by: 'noc-3', data }],
    });
    expect(await handle.result()).toBe('completed');
    expect(callsFor('runApiTask', dependent)).toHaveLength(1);
    expect(
      argsOf(t.calls, 'resolveFallout').filter(([c]) => c.includes(optional) || c.includes(mandatory)),
    ).toEqual([
      [`FO-${optional}-1`, optional, { action: 'skip', by: 'noc-3' }],
      [`FO-${mandatory}-1`, mandatory, { action: 'complete', by: 'noc-3', data }],
    ]);
    expect(await statusOf(handle)).toMatchObject({ progress: { total: 3, completed: 3, failed: 0 } });
  });

  it('aborts: tells the order, calls off what depends on the task, and ends failed', async () => {
    const { orderId, handle, ids } = await startDomainOrder((p) => [
      task(`${p}T01`),
      task(`${p}T02`, { dependsOn: [`${p}T01`] }),
    ]);
    const [failing, dependent] = ids;
    apiBehaviour.set(failing, () => {
      throw refusal('no capacity');
    });
    const fallout = falloutOf(`FO-${failing}-1`);
    await until(
      () => fallout.query(falloutStatusQuery),
      (s) => s.state === 'open',
      'the case',
    );
    await fallout.executeUpdate(resolveUpdate, { args: [{ action: 'abort', by: 'order-manager-1' }] });

    expect(await handle.result()).toBe('failed');
    expect(callsFor('runApiTask', dependent)).toHaveLength(0);
    expect(argsOf(t.calls, 'cancelTasks')).toContainEqual([
      [dependent],
      expect.stringMatching(/^domain-order:/),
    ]);
    const { events } = await handle.fetchHistory();
    const told = events!
      .map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)
      .filter((a) => a?.signalName === abortSignal.name);
    expect(told.map((a) => a!.workflowExecution!.workflowId)).toEqual([workflowId.order(orderId)]);
  });

  it('holds an api task onHold while its system is offline, spending no attempt, and resumes it when the system is back', async () => {
    const { handle, ids } = await startDomainOrder((p) => [
      task(`${p}T01`, { retry: { maxAttempts: 1, backoffSeconds: [] } }),
      task(`${p}T02`, { dependsOn: [`${p}T01`] }),
    ]);
    const [first, second] = ids;
    offline.add(SYSTEM);
    const onlineOr = (reference: string) => () => {
      if (offline.has(SYSTEM)) throw offlineFailure();
      return { reference };
    };
    apiBehaviour.set(first, () => {
      if (offline.has(SYSTEM)) throw offlineFailure();
      offline.add(SYSTEM); // it goes down again right after this call
      return { reference: 'FIRST' };
    });
    apiBehaviour.set(second, onlineOr('SECOND'));

    await until(
      async () => callsFor('recordTaskOnHold', first).length,
      (n) => n === 1,
      'the first hold',
    );
    const polls = () => callsFor('isSystemOnline', SYSTEM).length;
    const pollsBefore = polls();
    await t.env.sleep(3 * MINUTE + 1000);
    // Still held: it looked again every minute and spent no attempt (maxAttempts is 1).
    expect(polls() - pollsBefore).toBeGreaterThanOrEqual(3);
    expect(attemptsAt.get(first)!.map((a) => a.attempt)).toEqual([1]);
    expect(await statusOf(handle)).toMatchObject({ state: 'inProgress', falloutsOpen: 0 });

    // Back, with nobody saying so: the next minute's look finds it.
    offline.delete(SYSTEM);
    await t.env.sleep(MINUTE);
    await until(
      async () => callsFor('recordTaskOnHold', second).length,
      (n) => n === 1,
      'the second hold',
    );
    expect(attemptsAt.get(first)!.map((a) => a.attempt)).toEqual([1, 1]);
    expect(argsOf(t.calls, 'recordTaskOnHold').filter(([id]) => ids.includes(id))).toEqual([
      [first, SYSTEM, 1],
      [second, SYSTEM, 2],
    ]);

    // Back again, and said so (signal systemBack): it resumes at once, without waiting for the minute.
    offline.delete(SYSTEM);
    await handle.signal(systemBackSignal, { system: SYSTEM });
    await until(
      async () => callsFor('runApiTask', second).length,
      (n) => n === 2,
      'the second task resumed',
    );
    expect(await handle.result()).toBe('completed');
    expect(callsFor('recordTaskFatallyFailed', first)).toHaveLength(0);
  });
});
