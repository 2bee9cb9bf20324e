/**
 * The API alone, in milliseconds: `buildApp` over the run's real database (migrated by the global setup)
 * with a fake Temporal client and a recording simulator, driven through `app.inject`. No worker runs, so
 * what a workflow would write (an accepted quote, tasks, fall-out cases) the tests write themselves.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect, inject } from 'vitest';
import { buildApp } from '../../api/app';
import { LocalIssuer } from '../../api/auth/local-issuer';
import { roles } from '../../domain/roles';
import type { AppDeps } from '../../api/deps';
import { readCatalog } from '../../catalog/load';
import type { Catalog } from '../../catalog/schema';
import { openDatabase, type Database } from '../../db/client';
import { FakeTemporal } from './fake-temporal';

export interface StubApp {
  app: FastifyInstance;
  database: Database;
  temporal: FakeTemporal;
  catalog: Catalog;
  /** The `authorization` header of `tester`, for a test that calls `app.inject` itself. */
  authorization: string;
  /** The `authorization` header of `mia-manager`, an approver who did not make the tester's quotes. */
  approver: string;
  /** What the app asked the downstream simulator to do. */
  simulatorCalls: unknown[][];
  /** `app.inject` with JSON in and out, as `tester` holding every role (unless `headers` says otherwise). */
  http<T = any>(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * `database` replaces the run's database (one that cannot be reached, say); `stop` then closes it too.
 * `load`: the load-shedding bounds (the defaults otherwise).
 */
export async function startStubApp(
  options: { database?: Database; load?: AppDeps['load'] } = {},
): Promise<StubApp> {
  const database = options.database ?? (await openDatabase(inject('databaseUrl')));
  const catalog = readCatalog();
  const temporal = new FakeTemporal();
  const simulatorCalls: unknown[][] = [];
  // Every catalog version the tests' quotes name is the current one.
  const catalogs = { current: catalog, get: async () => catalog };
  const simulator = {
    injectFault: async (...args: unknown[]) => void simulatorCalls.push(['injectFault', ...args]),
    setOffline: async (...args: unknown[]) => void simulatorCalls.push(['setOffline', ...args]),
    // The feasibility system: a site without an address cannot be surveyed, as the real simulator says.
    feasibility: async (check: { siteName: string; address: string | null }) => {
      return check.address
        ? { reference: 'feasibility-stub', system: 'feasibility', operation: 'FEASIBILITY_CHECK' }
        : {
            reference: 'feasibility-stub',
            system: 'feasibility',
            operation: 'FEASIBILITY_CHECK',
            refused: `site "${check.siteName}" has no address to survey`,
          };
    },
  };
  const issuer = await LocalIssuer.open(inject('authDataDir'));
  const token = await issuer.sign({ subject: 'tester', roles: [...roles] });
  const app = await buildApp({
    auth: { kind: 'local', issuer },
    rateLimit: { max: 1_000_000 },
    database,
    temporal: temporal.client,
    taskQueue: 'stub-app',
    catalogs: catalogs as unknown as AppDeps['catalogs'],
    simulator: simulator as unknown as AppDeps['simulator'],
    devMode: true,
    // A busy test machine is not an overloaded API: only the bounds a test asks for.
    load: options.load ?? { maxEventLoopDelayMs: 0 },
  });
  return {
    app,
    database,
    temporal,
    catalog,
    simulatorCalls,
    authorization: `Bearer ${token}`,
    approver: `Bearer ${await issuer.sign({ subject: 'mia-manager', roles: ['salesManager', 'financeManager'] })}`,
    async http(method, url, body, headers) {
      const response = await app.inject({
        method,
        url,
        payload: body as InjectOptions['payload'],
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
      return { status: response.statusCode, body: (response.body ? response.json() : undefined) as never };
    },
    async stop() {
      await app.close();
      await database.close();
    },
  };
}

/** Checks the error body of the API contract (`{ error: { code, message, details } }`) and returns it. */
export function expectError(
  res: { status: number; body: any },
  status: number,
  code: string,
): { code: string; message: string; details: { field: string; rule: string; message: string }[] } {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Array) });
  return res.body.error;
}
