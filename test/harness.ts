/**
 * One test file's view of the real system: its own worker on its own task queue (against the run's dev
 * server and database), a Temporal client, and the Fastify app driven through `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Logger, type Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { inject } from 'vitest';
import { CatalogStore } from '../catalog/store';
import { DownstreamSimulator } from '../downstream/simulator';
import { buildApp } from '../api/app';
import type { AppDeps } from '../api/deps';
import { LocalIssuer } from '../api/auth/local-issuer';
import { roles, type Role } from '../domain/roles';
import { readCatalog } from '../catalog/load';
import { openDatabase, type Database } from '../db/client';
import { createWorker } from '../worker/worker';
import type { FulfilmentSettings } from '../workflows/contracts';
import { clientInterceptors, type Tracing } from '../platform/telemetry';

export type Http = <T = any>(
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: T; headers: Record<string, unknown> }>;

export interface Harness {
  app: FastifyInstance;
  client: Client;
  database: Database;
  worker?: Worker;
  taskQueue: string;
  /**
   * `app.inject` with JSON in and out, as the run's `tester` (a token with every role) unless `headers`
   * carries an `authorization` of its own (an empty one sends none).
   */
  http: Http;
  /** The same, as `subject` holding `roles`. */
  as(subject: string, ...roles: Role[]): Http;
  /** The same, as `subject` holding every role: a person other than the tester (an approver, a technician). */
  by(subject: string): Http;
  /** A token of the run's local issuer. */
  token(subject: string, ...roles: Role[]): Promise<string>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function startHarness(
  options: {
    approvalDeadlineSeconds?: number;
    quoteValiditySeconds?: number;
    /** How long a quote-time feasibility result spares order approval's check (30 days by default). */
    feasibilityValidDays?: number;
    fulfilment?: Partial<FulfilmentSettings>;
    /** false: no worker in this process (a test runs its own worker processes on `taskQueue`). */
    worker?: boolean;
    taskQueue?: string;
    /** Traces the API's workflow starts and the worker's workflows and activities. */
    tracing?: Tracing;
    /** The Temporal Runtime's logger, for a test that reads the worker's log lines (first harness of a file). */
    logger?: Logger;
    /** The TMF event hub's callback hosts and delivery retries. */
    hub?: AppDeps['hub'];
    /** A Temporal server of the test's own (one it stops and restarts); the run's shared one by default. */
    temporalAddress?: string;
    /** The run's database reached another way (through a proxy the test cuts); the run's URL by default. */
    databaseUrl?: string;
  } = {},
): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: options.logger ?? new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = options.temporalAddress ?? inject('temporalAddress');
  const database = await openDatabase(options.databaseUrl ?? inject('databaseUrl'));
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
          feasibilityValidDays: options.feasibilityValidDays,
          workflowBundlePath: inject('workflowBundlePath'),
          tracing: options.tracing,
        });
  const running = worker?.run();

  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace: 'default',
    interceptors: clientInterceptors(options.tracing),
  });
  const issuer = await LocalIssuer.open(inject('authDataDir'));
  const app = await buildApp({
    auth: { kind: 'local', issuer },
    rateLimit: { max: 1_000_000 },
    database,
    temporal: client,
    taskQueue,
    catalogs,
    simulator,
    devMode: true,
    approvalDeadlineSeconds: options.approvalDeadlineSeconds,
    quoteValiditySeconds: options.quoteValiditySeconds,
    fulfilment: options.fulfilment,
    hub: options.hub,
    // The worker shares this process: its replays would count as the API's own lateness.
    load: { maxEventLoopDelayMs: 0 },
  });

  function httpAs(token: string): Http {
    return async (method, url, body, headers = {}) => {
      const sent: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      if (sent.authorization === '') delete sent.authorization;
      const response = await app.inject({
        method,
        url,
        payload: body as InjectOptions['payload'],
        headers: sent,
      });
      const json = response.body && /json/.test(String(response.headers['content-type']));
      return {
        status: response.statusCode,
        body: (json ? response.json() : response.body || undefined) as never,
        headers: response.headers,
      };
    };
  }

  const harness: Harness = {
    app,
    client,
    database,
    worker,
    taskQueue,
    http: httpAs(await issuer.sign({ subject: 'tester', roles: [...roles] })),
    as: (subject, ...asRoles) => {
      const token = issuer.sign({ subject, roles: asRoles });
      return async (method, url, body, headers) => httpAs(await token)(method, url, body, headers);
    },
    by: (subject) => harness.as(subject, ...roles),
    token: (subject, ...asRoles) => issuer.sign({ subject, roles: asRoles }),
    async stop() {
      await app.close();
      worker?.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await database.close();
    },
  };
  return harness;
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
