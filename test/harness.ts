/**
 * One test file's view of the real system: its own worker on its own task queue (against the run's dev
 * server and database), a Temporal client, and the Fastify app driven through `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { inject } from 'vitest';
import { CatalogStore } from '../catalog/store';
import { DownstreamSimulator } from '../downstream/simulator';
import { buildApp } from '../api/app';
import { readCatalog } from '../catalog/load';
import { openDatabase, type Database } from '../db/client';
import { createWorker } from '../worker/worker';
import type { FulfilmentSettings } from '../workflows/contracts';

export interface Harness {
  app: FastifyInstance;
  client: Client;
  database: Database;
  worker?: Worker;
  taskQueue: string;
  /** `app.inject` with JSON in and out. */
  http<T = any>(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function startHarness(
  options: {
    approvalDeadlineSeconds?: number;
    quoteValiditySeconds?: number;
    fulfilment?: Partial<FulfilmentSettings>;
    /** false: no worker in this process (a test runs its own worker processes on `taskQueue`). */
    worker?: boolean;
    taskQueue?: string;
  } = {},
): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  const database = await openDatabase(inject('databaseUrl'));
  const catalogs = new CatalogStore(database.db, readCatalog());
  const simulator = new DownstreamSimulator(database.db, 0);
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;

  const nativeConnection = await NativeConnection.connect({ address });
  const worker =
    options.worker === false
      ? undefined
      : await createWorker({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue,
          db: database.db,
          catalogs,
          simulator,
          workflowBundlePath: inject('workflowBundlePath'),
        });
  const running = worker?.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const app = await buildApp({
    database,
    temporal: client,
    taskQueue,
    catalogs,
    simulator,
    devMode: true,
    approvalDeadlineSeconds: options.approvalDeadlineSeconds,
    quoteValiditySeconds: options.quoteValiditySeconds,
    fulfilment: options.fulfilment,
  });

  return {
    app,
    client,
    database,
    worker,
    taskQueue,
    async http(method, url, body, headers) {
      const response = await app.inject({ method, url, payload: body as InjectOptions['payload'], headers });
      return { status: response.statusCode, body: (response.body ? response.json() : undefined) as never };
    },
    async stop() {
      await app.close();
      worker?.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await database.close();
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
