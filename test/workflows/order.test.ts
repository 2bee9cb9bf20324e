import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import {
  cancelUpdate,
  completeSignal,
  controlSignal,
  defaultFulfilmentSettings,
  holdUpdate,
  resumeUpdate,
  statusQuery,
  taskStatusQuery,
  workflowId,
  type FulfilmentSettings,
  type OrderCarry,
  type OrderInput,
} from '../../workflows/contracts';
import type { order } from '../../workflows/index';
import { argsOf, startStubbedWorker, unique, until, type WorkflowTestEnv } from './stubbed-worker';

type TaskPlan = Awaited<ReturnType<Activities['startDomainOrder']>>['tasks'][number];
type PointOfNoReturn = Awaited<ReturnType<Activities['assessCancellation']>>[number];
type Compensation = Awaited<ReturnType<Activities['compensationPlan']>>[number];

/** What the stubbed activities answer, by order, sub-order and domain order ID. */
const subOrdersOf = new Map<string, string[]>();
const refusalsOf = new Map<string, Awaited<ReturnType<Activities['approveOrder']>>>();
const failingSubOrders = new Set<string>();
const tasksOf = new Map<string, TaskPlan[]>();
/** The answers `assessCancellation` gives an order, one per call. */
const assessments = new Map<string, PointOfNoReturn[][]>();
const compensationsOf = new Map<string, Compensation[]>();

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startStubbedWorker({
    approveOrder: async (orderId) => refusalsOf.get(orderId) ?? [],
    rejectOrder: async () => {},
    createProductInventory: async () => 1,
    decomposeOrder: async (orderId) => ({
      subOrderIds: subOrdersOf.get(orderId)!,
      domainOrders: subOrdersOf.get(orderId)!.length,
      tasks: subOrdersOf.get(orderId)!.length,
      dueDate: '2027-01-31T00:00:00.000Z',
    }),
    startSubOrder: async (subOrderId) => {
      if (failingSubOrders.has(subOrderId))
        throw ApplicationFailure.nonRetryable(`${subOrderId} has no plan`, 'NotFound');
      return [{ id: `${subOrderId}-D01`, domain: 'access', specCode: 'BROADBAND_ACCESS', dependsOn: [] }];
    },
    startDomainOrder: async (domainOrderId) => ({
      retired: false,
      tasks: tasksOf.get(domainOrderId) ?? [],
      settled: {},
    }),
    recordTransition: async () => true,
    runApiTask: async (taskId) => ({ reference: `REF-${taskId}` }),
    dispatchWorkItem: async () => {},
    recordTaskCompleted: async () => {},
    recordTaskCancelled: async () => {},
    cancelTasks: async () => {},
    // Awaiting a result lets the server skip to the next timer, a task's jeopardy clock among them.
    raiseJeopardy: async (_taskId, level) => ({ domainOrder: level, order: level }),
    assessCancellation: async (orderId) => assessments.get(orderId)?.shift() ?? [],
    compensationPlan: async (orderId) => compensationsOf.get(orderId) ?? [],
    compensateTask: async (step) => ({ reference: `UNDO-${step.taskId}` }),
    closeCancelled: async () => {},
    closeOrder: async () => {},
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
  code: 'ACTIVATE_BROADBAND_LINE',
  kind: 'api',
  dependsOn: [],
  throttledAfter: [],
  notifies: [],
  plannedMinutes: 10,
  retry: { maxAttempts: 1, backoffSeconds: [] },
  milestones: [],
  system: 'network-controller',
  mandatory: false,
  pointOfNoReturn: false,
  ...fields,
});

/** An order of `sites` sub-orders, each with one domain order running `tasks`, started as the API does. */
async function startOrder(
  sites: number,
  tasks: (domainOrderId: string) => TaskPlan[],
  settings: FulfilmentSettings = defaultFulfilmentSettings,
) {
  const orderId = `ORD-${unique()}`;
  const subOrderIds = Array.from({ length: sites }, (_, i) => `${orderId}-S0${i + 1}`);
  subOrdersOf.set(orderId, subOrderIds);
  for (const s of subOrderIds) tasksOf.set(`${s}-D01`, tasks(`${s}-D01`));
  const handle = await t.start<typeof order>('order', {
    workflowId: workflowId.order(orderId),
    args: [{ orderId, customerId: 'ACC-1', settings }],
  });
  return { orderId, subOrderIds, handle };
}

/** The states the order recorded, in order. */
const movesOf = (orderId: string) =>
  argsOf(t.calls, 'recordTransition')
    .map(([change]) => change)
    .filter((c) => c.entity === 'order' && c.id === orderId)
    .map((c) => c.to);

async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** How many `control` signals (hold, resume, cancel from above) a workflow has received. */
async function controlsReceived(handle: WorkflowHandle): Promise<number> {
  const { events } = await handle.fetchHistory();
  return events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === controlSignal.name)
    .length;
}

const stateOf = async (handle: WorkflowHandle) => (await handle.query(statusQuery)).state;

describe('order on the time-skipping server', () => {
  it('continues as new past its history limit, carrying what it counted, and starts every sub-order once', async () => {
    const settings = { ...defaultFulfilmentSettings, maxSubOrdersInFlight: 1, historyLimit: 12 };
    const { orderId, subOrderIds, handle } = await startOrder(3, (d) => [task(`${d}-T01`)], settings);
    failingSubOrders.add(subOrderIds[1]);

    expect(await handle.result()).toBe('partial');
    const runs: { length: number; carry?: OrderCarry }[] = [];
    let runId: string | undefined = handle.firstExecutionRunId;
    while (runId) {
      const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await t.env.client.workflow
        .getHandle(handle.workflowId, runId)
        .fetchHistory();
      const continued = history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes;
      const input = continued?.input?.payloads?.[0];
      runs.push({
        length: history.events!.length,
        carry: input ? defaultPayloadConverter.fromPayload<OrderInput>(input).carry : undefined,
      });
      runId = continued?.newExecutionRunId ?? undefined;
    }
    // Each run stayed small, and each continued with what it had counted: every sub-order started so
    // far has finished and been counted, and the next run starts where this one stopped.
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(run.length).toBeLessThan(40);
    const carries = runs.slice(0, -1).map((r) => r.carry!);
    for (const carry of carries) {
      expect(carry.subOrderIds).toEqual(subOrderIds);
      expect(Object.values(carry.outcomes).reduce((a, b) => a + b, 0)).toBe(carry.next);
    }
    expect(carries.map((c) => c.next)).toEqual([...carries.map((c) => c.next)].sort());
    expect(carries.at(-1)!.next).toBeGreaterThan(0);

    expect(
      argsOf(t.calls, 'startSubOrder')
        .filter(([s]) => s.startsWith(orderId))
        .map(([s]) => s),
    ).toEqual(subOrderIds);
    expect(argsOf(t.calls, 'closeOrder').filter(([o]) => o === orderId)).toEqual([[orderId, 'partial']]);
    expect(await handle.query(statusQuery)).toMatchObject({
      state: 'partial',
      progress: { total: 3, completed: 2, failed: 1, running: 0 },
    });
  });

  it('holds and resumes through its validators, refuses a cancellation past the point of no return, then cancels and compensates', async () => {
    const { orderId, handle } = await startOrder(1, (d) => [
      task(`${d}-T01`, { kind: 'field', code: 'INSTALL_BROADBAND_MODEM' }),
      task(`${d}-T02`, { kind: 'manual', code: 'CONFIRM_HANDOVER', dependsOn: [`${d}-T01`] }),
    ]);
    const [visit, handover] = [`${orderId}-S01-D01-T01`, `${orderId}-S01-D01-T02`];
    const visitTask = t.env.client.workflow.getHandle(workflowId.task(visit));
    await until(
      () => visitTask.query(taskStatusQuery),
      (s) => s.state === 'running',
      'the visit dispatched',
    );
    const dispatched = (id: string) => argsOf(t.calls, 'dispatchWorkItem').filter(([d]) => d === id).length;

    const notHeld = await refusal(handle.executeUpdate(resumeUpdate, { args: [{}] }));
    expect(notHeld).toMatchObject({ type: 'InvalidState' });
    expect(notHeld.message).toMatch(/is inProgress; only a held order can be resumed/);

    expect(await handle.executeUpdate(holdUpdate, { args: [{ reason: 'site not ready' }] })).toEqual({
      state: 'held',
    });
    expect(await refusal(handle.executeUpdate(holdUpdate, { args: [{}] }))).toMatchObject({
      type: 'InvalidState',
    });
    // Held: the visit finishes, but the handover that waits on it does not start, however long it waits.
    const domainOrder = t.env.client.workflow.getHandle(workflowId.domainOrder(`${orderId}-S01-D01`));
    await until(
      () => controlsReceived(domainOrder),
      (n) => n === 1,
      'the hold passed down',
    );
    await visitTask.signal(completeSignal, { by: 'technician-17' });
    await until(
      () => domainOrder.query(statusQuery),
      (s) => s.progress.completed === 1,
      'the visit done',
    );
    await t.env.sleep('2 days');
    expect(dispatched(handover)).toBe(0);
    expect(await handle.executeUpdate(resumeUpdate, { args: [{}] })).toEqual({ state: 'inProgress' });
    await until(
      async () => dispatched(handover),
      (n) => n === 1,
      'the handover dispatched',
    );

    // The modem is past its point of no return: refused, naming the items, and the order goes back.
    assessments.set(orderId, [
      [
        {
          taskId: visit,
          code: 'INSTALL_BROADBAND_MODEM',
          state: 'completed',
          items: ['I01 (BUSINESS_BROADBAND)'],
        },
      ],
      [],
    ]);
    const refused = await refusal(
      handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer withdrew' }] }),
    );
    expect(refused).toMatchObject({ type: 'InvalidState' });
    expect(refused.message).toMatch(/I01 \(BUSINESS_BROADBAND\) passed the milestone pointOfNoReturn/);
    expect(refused.details).toEqual([
      [
        {
          field: 'items',
          rule: 'pointOfNoReturn',
          message: 'I01 (BUSINESS_BROADBAND): INSTALL_BROADBAND_MODEM completed',
        },
      ],
    ]);
    expect(await stateOf(handle)).toBe('inProgress');

    // Assessed again, nothing past the point: the handover is called back, the work done undone in the
    // order the plan gives (latest first), and the order closes cancelled.
    const undo: Compensation[] = [
      { taskId: visit, code: 'INSTALL_BROADBAND_MODEM', action: 'RECALL_MODEM', system: 'field-service' },
      {
        taskId: `${orderId}-S01-D01-T00`,
        code: 'RESERVE_ACCESS_PORT',
        action: 'RELEASE_PORT',
        system: 'inventory',
      },
    ];
    compensationsOf.set(orderId, undo);
    expect(await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer withdrew' }] })).toEqual({
      state: 'pendingCancellation',
    });
    expect(await handle.result()).toBe('cancelled');
    expect(argsOf(t.calls, 'recordTaskCancelled')).toContainEqual([handover, 'order cancelled']);
    expect(argsOf(t.calls, 'compensateTask').filter(([c]) => c.taskId.startsWith(orderId))).toEqual(
      undo.map((c) => [c, 'ACC-1']),
    );
    expect(argsOf(t.calls, 'closeCancelled')).toContainEqual([orderId, 'customer withdrew']);
    expect(movesOf(orderId)).toEqual([
      'inProgress',
      'held',
      'inProgress',
      'assessingCancellation',
      'inProgress',
      'assessingCancellation',
      'pendingCancellation',
    ]);
  });

  it('rejects an order its approval refuses, creating no inventory and starting no sub-order', async () => {
    const orderId = `ORD-${unique()}`;
    const refusals = [
      { check: 'credit' as const, subject: 'ACC-1', reason: 'exposure exceeds the credit limit' },
    ];
    refusalsOf.set(orderId, refusals);
    subOrdersOf.set(orderId, [`${orderId}-S01`]);
    const handle = await t.start<typeof order>('order', {
      workflowId: workflowId.order(orderId),
      args: [{ orderId, customerId: 'ACC-1' }],
    });
    expect(await handle.result()).toBe('rejected');
    expect(argsOf(t.calls, 'rejectOrder')).toContainEqual([orderId, refusals]);
    const touched = t.calls.filter((c) => JSON.stringify(c.args).includes(orderId)).map((c) => c.name);
    expect(touched).toEqual(['approveOrder', 'rejectOrder']);
  });
});
