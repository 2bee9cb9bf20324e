/**
 * Workflow tests with stubbed activities: the real workflow code (the bundle the run built from the
 * worker's workflows entry) on the time-skipping test server, with plain functions standing in for the
 * activities, by name.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure, type Workflow } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities, type Activities, type ActivityDeps } from '../../activities';
import { startTimeSkippingEnvironment } from '../../platform/test-server';
import { untracedSinks } from '../../worker/worker';

export type Stubs = Partial<{ [K in keyof Activities]: (...args: Parameters<Activities[K]>) => unknown }>;
export interface Call {
  name: keyof Activities;
  args: unknown[];
}

/**
 * Every activity the worker registers, by the names `createActivities` gives them (built over no
 * database: the factories only close over their deps). Those without a stub fail at once, non-retryable,
 * so a workflow that calls something unexpected fails its test instead of retrying for ever.
 */
export function stubActivities(stubs: Stubs): { activities: Activities; calls: Call[] } {
  const calls: Call[] = [];
  const names = Object.keys(createActivities({} as ActivityDeps)) as (keyof Activities)[];
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: unknown[]) => {
        calls.push({ name, args });
        const stub = stubs[name] as ((...a: unknown[]) => unknown) | undefined;
        if (!stub)
          throw ApplicationFailure.nonRetryable(`No stub for activity ${name}`, 'UnexpectedActivity');
        return stub(...args);
      },
    ]),
  ) as unknown as Activities;
  return { activities, calls };
}

/** The arguments of every call to one activity, oldest first. */
export function argsOf<K extends keyof Activities>(calls: Call[], name: K): Parameters<Activities[K]>[] {
  return calls.filter((c) => c.name === name).map((c) => c.args as Parameters<Activities[K]>);
}

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  calls: Call[];
  /** Starts a workflow on the worker's task queue, remembered so that `endLeftovers` can end it. */
  start<T extends Workflow>(
    workflowType: string,
    options: Omit<WorkflowStartOptions<T>, 'taskQueue'>,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<T>>;
  /**
   * Terminates what a test left running (a test that failed half-way), children first. Left alone, or
   * ended parent first, it stalls the next test's time skipping: the test server keeps a lock for a
   * child that closed with its parent.
   */
  endLeftovers(): Promise<void>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** A time-skipping server of the file's own and a worker on it, running until `stop()`. */
export async function startStubbedWorker(stubs: Stubs): Promise<WorkflowTestEnv> {
  if (!runtimeInstalled) {
    // ERROR: the failures these tests provoke on purpose are logged as warnings, and the core warns that
    // the test server does not advertise a capability of recent servers.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
    runtimeInstalled = true;
  }
  const env = await startTimeSkippingEnvironment();
  const { activities, calls } = stubActivities(stubs);
  const taskQueue = `workflow-test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    // The bundle global-setup built from `workflowsPath` (worker/worker.ts) once for the run.
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    // The bundle holds the tracing interceptors; nothing is traced here.
    sinks: untracedSinks,
  });
  const running = worker.run();
  const started: string[] = [];
  return {
    env,
    taskQueue,
    calls,
    async start<T extends Workflow>(
      workflowType: string,
      options: Omit<WorkflowStartOptions<T>, 'taskQueue'>,
    ) {
      const handle = await env.client.workflow.start<T>(workflowType, {
        ...options,
        taskQueue,
      } as WorkflowStartOptions<T>);
      started.push(handle.workflowId);
      return handle;
    },
    async endLeftovers() {
      // Children first: the test server leaks a time-skipping lock when a child closes with its parent.
      const end = async (id: string): Promise<void> => {
        const handle = env.client.workflow.getHandle(id);
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') return;
        for (const child of description.raw.pendingChildren ?? []) await end(child.workflowId!);
        if ((await handle.describe()).status.name === 'RUNNING')
          await handle.terminate('left running by its test');
      };
      for (const id of started.splice(0)) await end(id);
    },
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** Polls `probe` (a query, usually) until `done` holds for its answer; fails after `timeoutMs` of real time. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      error = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `Timed out waiting for ${what}; last: ${JSON.stringify(last)}${error ? ` (${String(error)})` : ''}`,
  );
}

/** A unique suffix for the IDs of one test. */
export const unique = () => randomUUID().slice(0, 8);
