/**
 * Once per test run: one Temporal dev server on a free port, one PostgreSQL database of its own on the
 * machine's server (created here, dropped at the end, so runs never collide), and the workflow bundle
 * built once for every test worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { readCatalog, storeCatalog } from '../catalog/load';
import { openDatabase } from '../db/client';
import { startDevServer } from '../platform/dev-server';
import { createScratchDatabase } from '../platform/scratch-database';
import {
  workflowLogInterceptorModules,
  workflowTracingInterceptorModules,
  workflowsPath,
} from '../worker/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
    /** The data folder of the run's local token issuer (its signing key). */
    authDataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'order-orchestration-test-'));
  const [server, scratch] = await Promise.all([
    startDevServer({ port: 0, log: (line) => console.log(`[global-setup] ${line}`) }),
    createScratchDatabase('order_orchestration_test'),
  ]);
  const databaseUrl = scratch.url;
  const database = await openDatabase(databaseUrl);
  await storeCatalog(database.db, readCatalog());
  await database.close();

  // As `npm run bundle` makes it for traced workers: the replay test then proves the recorded histories
  // replay with the tracing interceptors, and the tracing test sees workflow spans.
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...workflowLogInterceptorModules, ...workflowTracingInterceptorModules],
    logger: quietLogger(),
  });
  const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('authDataDir', tmp);

  return async () => {
    await server.stop();
    await scratch.drop();
    rmSync(tmp, { recursive: true, force: true });
  };
}

function quietLogger() {
  const noop = () => {};
  return { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
}
