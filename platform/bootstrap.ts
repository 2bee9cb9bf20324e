import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { CatalogStore } from '../catalog/store';
import { DownstreamSimulator } from '../downstream/simulator';
import { buildApp } from '../api/app';
import { LocalIssuer } from '../api/auth/local-issuer';
import type { AuthSettings } from '../api/auth/verifier';
import { readCatalog, storeCatalog } from '../catalog/load';
import { openDatabase, type Database } from '../db/client';
import { createWorker } from '../worker/worker';
import { dataDir, type Config } from './config';
import { ensureSearchAttributes } from './search-attributes';
import { clientInterceptors, type Tracing } from './telemetry';

/** What both the worker and the API need: the database (migrated) and the catalog (validated, stored). */
export interface Core {
  database: Database;
  catalogs: CatalogStore;
  simulator: DownstreamSimulator;
}

export async function openCore(config: Config): Promise<Core> {
  // Read the catalog first: an invalid catalog stops start-up before anything else is touched.
  const catalog = readCatalog();
  const database = await openDatabase(config.databaseUrl, config.pgliteDir, config.databasePoolSize);
  try {
    await storeCatalog(database.db, catalog);
  } catch (err) {
    await database.close();
    throw err;
  }
  return {
    database,
    catalogs: new CatalogStore(database.db, catalog),
    simulator: new DownstreamSimulator(database.db, config.simulatorLatencyMs),
  };
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(
  core: Core,
  config: Config,
  address: string,
  tracing?: Tracing,
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.temporalTaskQueue,
    db: core.database.db,
    catalogs: core.catalogs,
    simulator: core.simulator,
    feasibilityValidDays: config.feasibilityValidDays,
    workflowBundlePath: config.workflowBundlePath,
    tracing,
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** The operator's identity provider when `AUTH_ISSUER` is set, else the product's own issuer. */
export async function authSettings(config: Config): Promise<AuthSettings> {
  if (config.auth) return { kind: 'oidc', ...config.auth, rolesClaim: config.authRolesClaim };
  return { kind: 'local', issuer: await LocalIssuer.open(dataDir), rolesClaim: config.authRolesClaim };
}

export interface RunningApi {
  app: FastifyInstance;
  client: Client;
  auth: AuthSettings;
  stop(): Promise<void>;
}

export async function startApi(
  core: Core,
  config: Config,
  address: string,
  tracing?: Tracing,
): Promise<RunningApi> {
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, config.temporalNamespace);
  const client = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: clientInterceptors(tracing),
  });
  const auth = await authSettings(config);
  const app = await buildApp({
    auth,
    rateLimit: { max: config.rateLimitPerMinute },
    load: { maxInFlight: config.maxInFlight, maxEventLoopDelayMs: config.maxEventLoopDelayMs },
    database: core.database,
    temporal: client,
    taskQueue: config.temporalTaskQueue,
    catalogs: core.catalogs,
    simulator: core.simulator,
    devMode: config.devMode,
    approvalDeadlineSeconds: config.approvalDeadlineSeconds,
    quoteValiditySeconds: config.quoteValiditySeconds,
    fulfilment: {
      minuteMs: config.planMinuteMs,
      maxSubOrdersInFlight: config.maxSubOrdersInFlight,
      falloutEscalationMs: config.falloutEscalationMs,
    },
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
    metricsPublic: config.metricsPublic,
    hub: config.hub,
  });
  await app.listen({ port: config.port, host: config.host });
  return {
    app,
    client,
    auth,
    stop: async () => {
      await app.close();
      await connection.close();
    },
  };
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal} received: shutting down gracefully (again to force)`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
