/**
 * `npm run bench`: the engine against its own structural floor, on the dev server as `npm start` runs it
 * (state in a SQLite file) and in memory, in one run.
 *
 *   npm run bench                      500 on-net sites (2,500 api tasks), both servers
 *   npm run bench -- --sites 1000      one 1,000-site order (5,000 tasks)
 *   npm run bench -- --tasks 5000      the same, counted in tasks (whole sites of 5 tasks)
 *   npm run bench -- --server memory   one server only (`file` or `memory`)
 *   npm run bench -- --sites 10000 --server memory --no-floor   the engine alone (the 10,000-site run)
 *
 * On each server, with a fresh scratch database:
 * (a) the floor: the engine's workflow tree for the same order (sub-orders in the engine's window, each
 *     running the on-net offer's domain orders as children in their dependency order, each running one
 *     no-op activity per api task in task order), `workflows/bench-baseline.ts`;
 * (b) the engine: the order through the real product, from `POST /orders` to the order workflow's result,
 *     simulator latency 0.
 * For each: seconds, tasks/s, workflows, history events and state transitions (per site and per task),
 * the largest history and the peak resident memory of the process that hosts the worker (each server's
 * phases run in a process of their own). Progress on stderr; the results on stdout, the last line JSON.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { and, count, eq, inArray } from 'drizzle-orm';
import { readCatalog } from '../catalog/load';
import { tasks } from '../db/schema';
import { defaultFulfilmentSettings, workflowId } from '../workflows/contracts';
import type { FloorShape } from '../workflows/bench-baseline';
import { trackProgress } from './progress';
import { startScratchProduct, type ScratchProduct } from './scratch-product';

const OFFERING = 'ONNET_DIA';
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const shape = floorShapeOf(OFFERING);
const tasksPerSite = shape.domainOrders.reduce((n, d) => n + d.tasks.length, 0);
const sites = Number(option('sites') ?? Math.ceil(Number(option('tasks') ?? 2500) / tasksPerSite));
const taskCount = sites * tasksPerSite;
const servers = (option('server') ? [option('server')] : ['file', 'memory']) as ('file' | 'memory')[];
const withFloor = !args.includes('--no-floor');
const withEngine = !args.includes('--no-engine');
const log = (line: string) => console.error(`[bench] ${line}`);

/** One offering's tree from the catalog: its specifications (domain orders) and their api tasks. */
function floorShapeOf(offeringCode: string): FloorShape {
  const catalog = readCatalog();
  const offering = catalog.offerings.find((o) => o.code === offeringCode)!;
  const specs = offering.specifications.map((code) => catalog.specifications.find((s) => s.code === code)!);
  return {
    domainOrders: specs.map((spec) => ({
      after: (spec.dependsOn ?? [])
        .map((d) => specs.findIndex((s) => s.code === d.spec))
        .filter((i) => i >= 0),
      tasks: spec.tasks.map((t) => ({
        after: (t.dependsOn ?? []).map((code) => spec.tasks.findIndex((x) => x.code === code)),
      })),
    })),
  };
}

/** Samples the resident memory of this process (which hosts the workers) while a phase runs. */
function memoryPeak() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
  };
}

interface Phase {
  seconds: number;
  tasksPerSec: number;
  workflows: number;
  historyEvents: number;
  stateTransitions: number;
  eventsPerSite: number;
  eventsPerTask: number;
  transitionsPerSite: number;
  /** The billable kinds of history event, per site (see `billable`). */
  actionsPerSite: Record<string, number>;
  totalActionsPerSite: number;
  maxHistoryEvents: number;
  peakRssMb: number;
}

/** Every workflow a query finds: how many, their history events and state transitions, the largest. */
async function actionsOf(client: Client, query: string) {
  await new Promise((r) => setTimeout(r, 2000)); // let visibility catch up
  const ids: string[] = [];
  let historyEvents = 0;
  let maxHistoryEvents = 0;
  for await (const wf of client.workflow.list({ query })) {
    ids.push(wf.workflowId);
    historyEvents += wf.historyLength;
    maxHistoryEvents = Math.max(maxHistoryEvents, wf.historyLength);
  }
  let stateTransitions = 0;
  const actions: Record<string, number> = {};
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (id) => {
        const handle = client.workflow.getHandle(id);
        const described = await handle.describe();
        stateTransitions += Number(described.raw.workflowExecutionInfo?.stateTransitionCount ?? 0);
        for (const event of (await handle.fetchHistory()).events ?? []) {
          const kind = billable[Number(event.eventType)];
          if (kind) actions[kind] = (actions[kind] ?? 0) + 1;
        }
      }),
    );
  }
  return { workflows: ids.length, historyEvents, stateTransitions, maxHistoryEvents, actions };
}

/**
 * The history events that stand for what Temporal Cloud bills as actions (workflow and child starts,
 * activities, local activities, timers, signals, updates, search-attribute upserts), by kind; the README's
 * capacity model is computed from these.
 */
const EventType = proto.temporal.api.enums.v1.EventType;
const billable: Record<number, string> = {
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED]: 'workflowStarts',
  [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]: 'activities',
  [EventType.EVENT_TYPE_MARKER_RECORDED]: 'localActivities',
  [EventType.EVENT_TYPE_TIMER_STARTED]: 'timers',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]: 'signals',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]: 'updates',
  [EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]: 'searchAttributeUpserts',
  [EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED]: 'propertiesModified',
};

function phase(seconds: number, peakRssMb: number, measured: Awaited<ReturnType<typeof actionsOf>>): Phase {
  const round = (n: number, d = 1) => Number(n.toFixed(d));
  const { actions: byKind, ...actions } = measured;
  return {
    seconds: round(seconds),
    tasksPerSec: round(taskCount / seconds),
    ...actions,
    actionsPerSite: Object.fromEntries(Object.entries(byKind).map(([k, n]) => [k, round(n / sites, 2)])),
    totalActionsPerSite: round(Object.values(byKind).reduce((a, b) => a + b, 0) / sites),
    eventsPerSite: round(actions.historyEvents / sites),
    eventsPerTask: round(actions.historyEvents / taskCount),
    transitionsPerSite: round(actions.stateTransitions / sites),
    peakRssMb,
  };
}

/** (a) The floor: the same tree with no-op bodies, on a worker of the same concurrency as the engine's. */
async function runFloor(product: ScratchProduct, label: string): Promise<Phase> {
  const runId = randomUUID().slice(0, 8);
  const taskQueue = `bench-floor-${runId}`;
  const worker = await Worker.create({
    connection: product.native,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../workflows/bench-baseline.ts', import.meta.url)),
    activities: { noop: async () => {} },
    maxConcurrentActivityTaskExecutions: 100,
  });
  const running = worker.run();
  const peak = memoryPeak();
  const id = `floor-${runId}`;
  const domainOrders = sites * shape.domainOrders.length;
  const progress = trackProgress(`${label} floor`, domainOrders, () =>
    product.client.workflow
      .count(
        `WorkflowType='floorDomainOrder' AND WorkflowId STARTS_WITH '${id}-' AND ExecutionStatus='Completed'`,
      )
      .then((c) => c.count),
  );
  const started = performance.now();
  await product.client.workflow.execute('floorOrder', {
    taskQueue,
    workflowId: id,
    args: [id, sites, shape, defaultFulfilmentSettings.maxSubOrdersInFlight],
  });
  const seconds = (performance.now() - started) / 1000;
  await progress.stop();
  const rss = peak();
  worker.shutdown();
  await running;
  return phase(seconds, rss, await actionsOf(product.client, `WorkflowId STARTS_WITH '${id}'`));
}

/** (b) The engine: one order of on-net sites through the real product. */
async function runEngine(product: ScratchProduct, label: string): Promise<Phase> {
  const engine = await product.startEngine();
  try {
    const { call } = engine;
    const account = await call('POST', '/accounts', {
      name: 'Benchmark Retail AG',
      billingProfile: { billingAddress: 'Hauptstrasse 1, Berlin' },
    });
    const members = Array.from({ length: sites }, (_, i) => ({
      ref: `site${i + 1}`,
      kind: 'location',
      name: `Store ${i + 1}`,
      address: `Hauptstrasse ${i + 1}`,
    }));
    const quote = await call('POST', '/quotes', {
      accountId: account.id,
      members,
      items: members.map((m) => ({ offeringCode: OFFERING, appliesTo: { member: m.ref } })),
    });
    await call('POST', `/quotes/${quote.id}/submit`);
    await call('POST', `/quotes/${quote.id}/accept`, { signedBy: 'Bench' });

    const peak = memoryPeak();
    const started = performance.now();
    const order = await call('POST', '/orders', { quoteId: quote.id });
    // Tasks done, counted on an index every 2 s: light enough not to weigh on what is measured.
    const progress = trackProgress(`${label} engine`, taskCount, async () => {
      const [row] = await product.database.db
        .select({ n: count() })
        .from(tasks)
        .where(and(eq(tasks.orderId, order.id), inArray(tasks.state, ['completed', 'skipped'])));
      return row.n;
    });
    const outcome = await product.client.workflow.getHandle(workflowId.order(order.id)).result();
    const seconds = (performance.now() - started) / 1000;
    await progress.stop();
    const rss = peak();
    const tree = await call('GET', `/orders/${order.id}?depth=order`);
    if (outcome !== 'completed' || tree.progress.completed !== taskCount)
      throw new Error(
        `order ${order.id} ended ${outcome} with ${tree.progress.completed}/${taskCount} tasks`,
      );
    return phase(seconds, rss, await actionsOf(product.client, `OrderId='${order.id}'`));
  } finally {
    await engine.stop();
  }
}

type ServerResult = { server: 'file' | 'memory'; floor?: Phase; engine?: Phase; ratio?: number };
const results: ServerResult[] = [];
log(`${sites} on-net sites, ${taskCount} api tasks; servers: ${servers.join(', ')}`);
if (servers.length > 1) {
  // Each server in a process of its own, one after the other: the peak memory of one is not the heap
  // the other left behind, and neither phase runs beside the other.
  for (const server of servers) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), ...args, '--server', server],
      { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`the ${server} bench exited with ${child.status}`);
    const last = child.stdout.toString().trim().split('\n').at(-1)!;
    results.push(...(JSON.parse(last) as { results: ServerResult[] }).results);
  }
} else {
  for (const server of servers) {
    const product = await startScratchProduct(log, { fileState: server === 'file' });
    try {
      const floor = withFloor ? await runFloor(product, server) : undefined;
      if (floor) log(`${server} floor: ${floor.seconds} s, ${floor.tasksPerSec} tasks/s`);
      const engine = withEngine ? await runEngine(product, server) : undefined;
      if (engine) log(`${server} engine: ${engine.seconds} s, ${engine.tasksPerSec} tasks/s`);
      results.push({
        server,
        floor,
        engine,
        ...(floor && engine ? { ratio: Number((engine.tasksPerSec / floor.tasksPerSec).toFixed(3)) } : {}),
      });
    } finally {
      await product.stop();
    }
  }
}

const rows: [string, (p: Phase) => string | number][] = [
  ['wall seconds', (p) => p.seconds],
  ['tasks/s', (p) => p.tasksPerSec],
  ['workflows', (p) => p.workflows],
  ['history events', (p) => p.historyEvents],
  ['  per site / per task', (p) => `${p.eventsPerSite} / ${p.eventsPerTask}`],
  ['state transitions', (p) => p.stateTransitions],
  ['  per site', (p) => p.transitionsPerSite],
  ['actions per site', (p) => p.totalActionsPerSite],
  ...[
    'workflowStarts',
    'activities',
    'localActivities',
    'timers',
    'signals',
    'updates',
    'searchAttributeUpserts',
  ].map((kind): [string, (p: Phase) => number] => [`  ${kind}`, (p) => p.actionsPerSite[kind] ?? 0]),
  ['largest history', (p) => p.maxHistoryEvents],
  ['peak RSS (MB)', (p) => p.peakRssMb],
];
console.log(`\n${sites} sites, ${taskCount} tasks`);
console.log(
  ['', ...results.flatMap((r) => [`${r.server} floor`, `${r.server} engine`])]
    .map((c) => c.padEnd(24))
    .join(''),
);
for (const [name, value] of rows)
  console.log(
    [
      name,
      ...results.flatMap((r) => [
        r.floor ? String(value(r.floor)) : '-',
        r.engine ? String(value(r.engine)) : '-',
      ]),
    ]
      .map((c) => c.padEnd(24))
      .join(''),
  );
console.log(
  ['engine/floor', ...results.flatMap((r) => ['', String(r.ratio ?? '-')])].map((c) => c.padEnd(24)).join(''),
);
console.log(JSON.stringify({ sites, tasks: taskCount, results }));
