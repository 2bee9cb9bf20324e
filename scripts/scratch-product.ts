/**
 * The whole product on a dev server and database of its own, in this process, for the scripts that
 * measure or record it (`npm run bench`, `npm run record-histories`). The database is a scratch one on
 * the machine's PostgreSQL (or `DATABASE_URL`, or PGlite when neither is there), dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { CatalogStore } from '../catalog/store';
import { DownstreamSimulator } from '../downstream/simulator';
import { buildApp } from '../api/app';
import type { AppDeps } from '../api/deps';
import { LocalIssuer } from '../api/auth/local-issuer';
import { roles, type Role } from '../domain/roles';
import { readCatalog, storeCatalog } from '../catalog/load';
import { openDatabase, type Database } from '../db/client';
import { startDevServer } from '../platform/dev-server';
import { createScratchDatabase, type ScratchDatabase } from '../platform/scratch-database';
import { createWorker } from '../worker/worker';

let runtimeInstalled = false;

export interface ScratchProduct {
  address: string;
  client: Client;
  native: NativeConnection;
  database: Database;
  catalogs: CatalogStore;
  simulator: DownstreamSimulator;
  /** Starts the product's worker on a task queue of its own and the API over it. */
  startEngine(options?: Pick<AppDeps, 'fulfilment' | 'approvalDeadlineSeconds'>): Promise<Engine>;
  stop(): Promise<void>;
}

export interface Engine {
  taskQueue: string;
  worker: Worker;
  /**
   * Calls the API in-process and answers its JSON, read loosely; throws on an answer of 300 or more. The
   * caller is `script`, holding every role, unless `as` names another principal (an approver must not be
   * the quote's author).
   */
  call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
    as?: { subject: string; roles: Role[] },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<any>;
  /** Serves the API over HTTP on a free port of 127.0.0.1 (for tools outside this process); its base URL. */
  listen(): Promise<string>;
  /** The bearer token of `subject`, holding every role. */
  token: string;
  subject: string;
  stop(): Promise<void>;
}

/** `fileState`: the dev server keeps its state in a scratch SQLite file, as `npm start` does; else in memory. */
export async function startScratchProduct(
  log: (line: string) => void,
  options: { fileState?: boolean } = {},
): Promise<ScratchProduct> {
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
  const stateDir = options.fileState
    ? mkdtempSync(path.join(os.tmpdir(), 'order-orchestration-scratch-temporal-'))
    : undefined;
  const server = await startDevServer({
    port: 0,
    log,
    ...(stateDir ? { dbFilename: path.join(stateDir, 'temporal.db') } : {}),
  });
  let scratch: ScratchDatabase | undefined;
  let tmp: string | undefined;
  let database: Database;
  if (process.env.DATABASE_URL) database = await openDatabase(process.env.DATABASE_URL);
  else {
    try {
      scratch = await createScratchDatabase('order_orchestration_scratch');
      database = await openDatabase(scratch.url);
    } catch (err) {
      log(`no PostgreSQL server reachable (${(err as Error).message}); using embedded PGlite`);
      tmp = mkdtempSync(path.join(os.tmpdir(), 'order-orchestration-scratch-'));
      database = await openDatabase(undefined, tmp);
    }
  }
  const catalog = readCatalog();
  await storeCatalog(database.db, catalog);
  const catalogs = new CatalogStore(database.db, catalog);
  const simulator = new DownstreamSimulator(database.db, 0);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'order-orchestration-scratch-keys-'));
  const issuer = await LocalIssuer.open(keyDir);
  const subject = 'script';
  const scriptToken = await issuer.sign({ subject, roles: [...roles] });

  return {
    address: server.address,
    client,
    native,
    database,
    catalogs,
    simulator,
    async startEngine(options = {}) {
      const taskQueue = `scratch-${randomUUID().slice(0, 8)}`;
      const worker = await createWorker({
        connection: native,
        namespace: 'default',
        taskQueue,
        db: database.db,
        catalogs,
        simulator,
      });
      const running = worker.run();
      const app = await buildApp({
        auth: { kind: 'local', issuer },
        rateLimit: { max: 1_000_000 },
        // The worker shares this process (its replays would count as the API's lateness); the requests in
        // flight stay bounded, so that bench:api past 512 clients shows the 503s.
        load: { maxEventLoopDelayMs: 0, maxInFlight: Number(process.env.API_MAX_IN_FLIGHT ?? 512) },
        database,
        temporal: client,
        taskQueue,
        catalogs,
        simulator,
        devMode: true,
        ...options,
      });
      return {
        taskQueue,
        worker,
        token: scriptToken,
        subject,
        listen: () => app.listen({ host: '127.0.0.1', port: 0 }),
        async call(method, url, body, as) {
          const token = as ? await issuer.sign({ subject: as.subject, roles: as.roles }) : scriptToken;
          const res = await app.inject({
            method,
            url,
            payload: body as string,
            headers: { authorization: `Bearer ${token}` },
          });
          if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
          return res.json();
        },
        async stop() {
          await app.close();
          worker.shutdown();
          await running;
        },
      };
    },
    async stop() {
      await connection.close();
      await native.close();
      await database.close();
      await scratch?.drop();
      rmSync(keyDir, { recursive: true, force: true });
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      await server.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
