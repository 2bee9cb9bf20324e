/**
 * Prometheus metrics of the API: HTTP requests by route, method and status with their latency, the
 * process's own (heap, event loop, CPU), and the business gauges an operations team alerts on, counted
 * from the database at scrape time (so every API instance reports the same totals: aggregate with `max`).
 */
import { and, count, inArray, ne, notInArray } from 'drizzle-orm';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { falloutCases, orders, tasks } from '../../db/schema';
import { orderStates } from '../../domain/states';
import type { AppDeps } from '../deps';

const finalOrderStates = ['completed', 'cancelled', 'failed', 'partial', 'rejected'];
const finalTaskStates = ['completed', 'skipped', 'cancelled', 'superseded'];
/** Not final and not yet done: what a task queue or a person still has to move. */
const waitingTaskStates = ['pending', 'ready', 'running', 'failed', 'fatallyFailed', 'onHold'];
const openFalloutStates = ['open', 'inProgress', 'onHold'] as const;

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createApiMetrics(deps: AppDeps): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests of the API by method, route (its pattern, not the URL) and status, with their latency',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { db } = deps.database;
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    fill: (g: Gauge<L>) => Promise<void>,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        await fill(this);
      },
    });

  gauge('orchestration_orders', 'Orders by state', ['state'], async (g) => {
    for (const state of orderStates) g.set({ state }, 0);
    const rows = await db.select({ state: orders.state, n: count() }).from(orders).groupBy(orders.state);
    for (const r of rows) g.set({ state: r.state }, r.n);
  });
  gauge(
    'orchestration_fallout_cases_open',
    'Open fall-out cases (open, in progress, on hold) by type and priority',
    ['type', 'priority'],
    async (g) => {
      const rows = await db
        .select({ type: falloutCases.type, priority: falloutCases.priority, n: count() })
        .from(falloutCases)
        .where(inArray(falloutCases.state, openFalloutStates))
        .groupBy(falloutCases.type, falloutCases.priority);
      for (const r of rows) g.set({ type: r.type, priority: r.priority }, r.n);
    },
  );
  gauge(
    'orchestration_tasks_waiting',
    'Tasks not finished, by kind and state (a running manual or field task waits on a person)',
    ['kind', 'state'],
    async (g) => {
      for (const kind of ['api', 'manual', 'field', 'project']) g.set({ kind, state: 'running' }, 0);
      const rows = await db
        .select({ kind: tasks.kind, state: tasks.state, n: count() })
        .from(tasks)
        .where(inArray(tasks.state, waitingTaskStates))
        .groupBy(tasks.kind, tasks.state);
      for (const r of rows) g.set({ kind: r.kind, state: r.state }, r.n);
    },
  );
  gauge(
    'orchestration_orders_in_jeopardy',
    'Orders not final whose jeopardy is yellow or red',
    ['level'],
    async (g) => {
      g.set({ level: 'yellow' }, 0);
      g.set({ level: 'red' }, 0);
      const rows = await db
        .select({ level: orders.jeopardy, n: count() })
        .from(orders)
        .where(and(ne(orders.jeopardy, 'green'), notInArray(orders.state, finalOrderStates)))
        .groupBy(orders.jeopardy);
      for (const r of rows) g.set({ level: r.level }, r.n);
    },
  );
  gauge(
    'orchestration_tasks_in_jeopardy',
    'Tasks not final whose jeopardy is yellow or red, by kind',
    ['level', 'kind'],
    async (g) => {
      const rows = await db
        .select({ level: tasks.jeopardy, kind: tasks.kind, n: count() })
        .from(tasks)
        .where(and(ne(tasks.jeopardy, 'green'), notInArray(tasks.state, finalTaskStates)))
        .groupBy(tasks.jeopardy, tasks.kind);
      for (const r of rows) g.set({ level: r.level, kind: r.kind }, r.n);
    },
  );
  return { registry, httpDuration };
}

/** The Prometheus text exposition of everything above. */
export async function scrapeMetrics(metrics: ApiMetrics) {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
