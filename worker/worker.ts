import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Where `npm run bundle` writes the prebuilt workflow bundle that production workers load. */
export const prebuiltBundlePath = path.resolve(
  path.dirname(workflowsPath),
  '..',
  'dist',
  'workflow-bundle.js',
);

export interface WorkerSetup extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle; without one the worker bundles `workflows/` at start. */
  workflowBundlePath?: string;
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'
    >
  >;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const bundlePath =
    setup.workflowBundlePath ??
    (existsSync(prebuiltBundlePath) && process.env.NODE_ENV === 'production'
      ? prebuiltBundlePath
      : undefined);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath }),
    activities: createActivities(setup),
    maxConcurrentActivityTaskExecutions: 100,
    ...setup.tuning,
  });
}
