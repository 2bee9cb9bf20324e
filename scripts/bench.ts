/**
 * `npm run bench`: the engine's throughput against bare Temporal, on a dev server this script starts.
 *
 *   npm run bench                    2,500 api tasks (500 on-net sites): baseline, then the engine
 *   npm run bench -- --tasks 5000    another task count (rounded up to whole sites of 5 tasks)
 *   npm run bench -- --sites 1000    the large-order mode: one 1,000-site order (5,000 tasks)
 *
 * (a) Baseline: as many bare child workflows, each running one no-op activity, in parents of 200.
 * (b) Engine: one order of on-net sites (5 api tasks each) through the real product: order approval,
 *     decomposition, sub-orders, domain orders, tasks against the simulator (no latency), closure.
 * Both run on the same dev server and the same kind of worker, in this process. The last line is JSON.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowId } from '../workflows/contracts';
import { and, count, eq, inArray } from 'drizzle-orm';
import { tasks } from '../db/schema';
import { trackProgress } from './progress';
import { startScratchProduct } from './scratch-product';

const TASKS_PER_SITE = 5;
const BASELINE_PARENT_SIZE = 200;
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};
const largeOrder = option('sites') !== undefined;
const sites = option('sites') ?? Math.ceil((option('tasks') ?? 2500) / TASKS_PER_SITE);
const taskCount = sites * TASKS_PER_SITE;
const log = (line: string) => console.log(`[bench] ${line}`);

/** Samples the resident memory of this process (which hosts the workers) while a phase runs. */
function memoryPeak() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
  };
}

async function maxHistory(client: Client, query: string): Promise<number> {
  let max = 0;
  for await (const wf of client.workflow.list({ query })) max = Math.max(max, wf.historyLength);
  return max;
}

const product = await startScratchProduct(log);
const { client, native } = product;
const runId = randomUUID().slice(0, 8);

try {
  log(`${largeOrder ? 'large order' : 'throughput'}: ${taskCount} tasks (${sites} sites)`);

  // (a) Baseline: bare child workflows with one no-op activity each.
  const baselineQueue = `bench-baseline-${runId}`;
  const baselineWorker = await Worker.create({
    connection: native,
    taskQueue: baselineQueue,
    workflowsPath: fileURLToPath(new URL('../workflows/bench-baseline.ts', import.meta.url)),
    activities: { noop: async () => {} },
    maxConcurrentActivityTaskExecutions: 100,
  });
  const baselineRun = baselineWorker.run();
  const baselinePeak = memoryPeak();
  const baselineStart = performance.now();
  const parents = Math.ceil(taskCount / BASELINE_PARENT_SIZE);
  const baselineProgress = trackProgress('baseline', taskCount, () =>
    client.workflow
      .count(
        `WorkflowType='baselineChild' AND WorkflowId STARTS_WITH 'bench-${runId}-' AND ExecutionStatus='Completed'`,
      )
      .then((c) => c.count),
  );
  await Promise.all(
    Array.from({ length: parents }, (_, p) =>
      client.workflow.execute('baselineParent', {
        taskQueue: baselineQueue,
        workflowId: `bench-${runId}-parent-${p}`,
        args: [`bench-${runId}-${p}`, Math.min(BASELINE_PARENT_SIZE, taskCount - p * BASELINE_PARENT_SIZE)],
      }),
    ),
  );
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  await baselineProgress.stop();
  const baselineRssMb = baselinePeak();
  baselineWorker.shutdown();
  await baselineRun;
  const baselineTasksPerSec = taskCount / baselineSeconds;
  log(
    `baseline: ${taskCount} child workflows in ${baselineSeconds.toFixed(1)} s = ${baselineTasksPerSec.toFixed(1)}/s`,
  );

  // (b) The engine: one order of on-net sites through the real product.
  const engine = await product.startEngine();
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
    items: members.map((m) => ({ offeringCode: 'ONNET_DIA', appliesTo: { member: m.ref } })),
  });
  await call('POST', `/quotes/${quote.id}/submit`);
  await call('POST', `/quotes/${quote.id}/accept`, { signedBy: 'Bench' });

  const enginePeak = memoryPeak();
  const engineStart = performance.now();
  const order = await call('POST', '/orders', { quoteId: quote.id });
  // Tasks done, counted on an index every 2 s: light enough not to weigh on what is measured.
  const engineProgress = trackProgress('engine', taskCount, async () => {
    const [row] = await product.database.db
      .select({ n: count() })
      .from(tasks)
      .where(and(eq(tasks.orderId, order.id), inArray(tasks.state, ['completed', 'skipped'])));
    return row.n;
  });
  const outcome = await client.workflow.getHandle(workflowId.order(order.id)).result();
  const engineSeconds = (performance.now() - engineStart) / 1000;
  await engineProgress.stop();
  const peakRssMb = enginePeak();
  const tree = await call('GET', `/orders/${order.id}`);
  if (outcome !== 'completed' || tree.progress.completed !== taskCount)
    throw new Error(`order ${order.id} ended ${outcome} with ${tree.progress.completed}/${taskCount} tasks`);
  const engineTasksPerSec = taskCount / engineSeconds;
  log(
    `engine: order ${order.id} ${outcome}, ${taskCount} tasks in ${engineSeconds.toFixed(1)} s = ${engineTasksPerSec.toFixed(1)}/s`,
  );

  await new Promise((r) => setTimeout(r, 2000)); // let visibility catch up before reading history lengths
  const maxHistoryEvents = await maxHistory(client, `OrderId='${order.id}'`);
  const baselineMaxHistoryEvents = await maxHistory(client, `WorkflowId STARTS_WITH 'bench-${runId}-parent'`);
  await engine.stop();

  const ratio = engineTasksPerSec / baselineTasksPerSec;
  log(`ratio engine/baseline: ${ratio.toFixed(2)} (target ≥ 0.6)`);
  log(`largest workflow history: ${maxHistoryEvents} events (baseline parents: ${baselineMaxHistoryEvents})`);
  log(`peak RSS of the process hosting the worker: ${peakRssMb} MB (baseline phase: ${baselineRssMb} MB)`);
  console.log(
    JSON.stringify({
      mode: largeOrder ? 'largeOrder' : 'throughput',
      tasks: taskCount,
      sites,
      baselineTasksPerSec: Number(baselineTasksPerSec.toFixed(1)),
      engineTasksPerSec: Number(engineTasksPerSec.toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
      maxHistoryEvents,
      peakRssMb,
      wallSeconds: Number(engineSeconds.toFixed(1)),
      baselineSeconds: Number(baselineSeconds.toFixed(1)),
    }),
  );
} finally {
  await product.stop();
}
