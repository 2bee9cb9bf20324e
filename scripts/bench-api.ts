/**
 * `npm run bench:api`: how the HTTP API holds 100 clients at once, on a product this script starts (its own
 * dev server, scratch database, worker and API on a free port).
 *
 *   npm run bench:api                               100 clients, 10 s per scenario
 *   npm run bench:api -- --connections 200 --duration 30
 *   npm run bench:api -- --only 'GET /orders'        the scenarios whose name contains this text
 *
 * Scenarios, one after another, each with autocannon's progress bar: the reads back offices poll
 * (`GET /orders/:id` of a completed 3-site order and of a running 50-site one, `GET /tasks?state=running`,
 * `GET /fallouts`) and the writes that
 * come in bursts (`POST /quotes`, `POST /tasks/:id/complete` round-robin over the order's running field
 * tasks: 202 the first time, then 409 or 404 as the contract says once the task has moved on). Prints
 * requests/s, p50/p99 latency, answers by status and errors; exits 1 on any 5xx but 503, or any
 * connection error or timeout. The last line is JSON.
 */
import autocannon, { type Result } from 'autocannon';
import { startScratchProduct } from './scratch-product';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const connections = option('connections', 100);
const duration = option('duration', 10);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const SITES = 50;
const log = (line: string) => console.log(`[bench:api] ${line}`);

const product = await startScratchProduct(log);
const engine = await product.startEngine();
const base = await engine.listen();
const headers = { authorization: `Bearer ${engine.token}`, 'content-type': 'application/json' };

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string | (() => string);
  body?: string;
  /** Statuses the contract gives this request besides 2xx (not counted as errors). */
  expected: number[];
}

let exitCode = 0;
// A promise nobody awaited that failed (a query cut off as the product stops, say) is a finding, not a crash
// that hides the figures: it is printed with the query postgres.js names, and the run fails.
process.on('unhandledRejection', (err) => {
  const { code, query } = (err ?? {}) as { code?: string; query?: string };
  console.error(`[bench:api] unhandled rejection ${code ?? ''}${query ? ` in: ${query}` : ''}`, err);
  exitCode = 1;
});
const rows: Record<string, unknown>[] = [];
try {
  // One customer and a 50-site order of business broadband, each site with a field task (modem install).
  const account = await engine.call('POST', '/accounts', {
    name: 'Bench Logistics',
    billingProfile: { billingAddress: 'Bench Street 1' },
  });
  const members = Array.from({ length: SITES }, (_, i) => ({
    ref: `s${i + 1}`,
    kind: 'location',
    name: `Site ${i + 1}`,
    address: `Bench Street ${i + 1}`,
  }));
  const quote = await engine.call('POST', '/quotes', {
    accountId: account.id,
    members,
    items: members.map((m) => ({ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: m.ref } })),
  });
  await engine.call('POST', `/quotes/${quote.id}/submit`);
  await engine.call('POST', `/quotes/${quote.id}/accept`, { signedBy: 'Bench CFO' });
  const order = await engine.call('POST', '/orders', { quoteId: quote.id });
  // And a 3-site on-net order (api tasks only), read once it has completed.
  const small = await engine.call('POST', '/quotes', {
    accountId: account.id,
    members: members.slice(0, 3),
    items: members.slice(0, 3).map((m) => ({ offeringCode: 'ONNET_DIA', appliesTo: { member: m.ref } })),
  });
  await engine.call('POST', `/quotes/${small.id}/submit`);
  await engine.call('POST', `/quotes/${small.id}/accept`, { signedBy: 'Bench CFO' });
  const done = await engine.call('POST', '/orders', { quoteId: small.id });
  log(`order ${order.id} (${SITES} sites) and ${done.id} (3 sites); waiting for the field tasks to run`);
  let running: string[] = [];
  for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
    const list = await engine.call('GET', `/tasks?orderId=${order.id}&state=running&kind=field`);
    running = list.tasks.map((t: { id: string }) => t.id);
    if (running.length >= SITES) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`${running.length} field tasks running`);
  for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
    if ((await engine.call('GET', `/orders/${done.id}?depth=order`)).state === 'completed') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const doneBytes = JSON.stringify(await engine.call('GET', `/orders/${done.id}`)).length;
  log(`the 3-site order completed; its tree is ${Math.round(doneBytes / 1024)} KiB`);
  let next = 0;

  const all: Scenario[] = [
    { name: 'GET /orders/:id (3 sites, completed)', method: 'GET', path: `/orders/${done.id}`, expected: [] },
    { name: `GET /orders/:id (${SITES} sites)`, method: 'GET', path: `/orders/${order.id}`, expected: [] },
    {
      name: `GET /orders/:id?depth=order (${SITES} sites)`,
      method: 'GET',
      path: `/orders/${order.id}?depth=order`,
      expected: [],
    },
    { name: 'GET /tasks?state=running', method: 'GET', path: '/tasks?state=running', expected: [] },
    { name: 'GET /fallouts', method: 'GET', path: '/fallouts', expected: [] },
    {
      name: 'POST /quotes',
      method: 'POST',
      path: '/quotes',
      body: JSON.stringify({
        accountId: account.id,
        members: [{ ref: 'hq', kind: 'location', name: 'HQ', address: 'Bench Street 1' }],
        items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
      }),
      expected: [429, 503],
    },
    {
      name: 'POST /tasks/:id/complete',
      method: 'POST',
      path: () => `/tasks/${running[next++ % running.length]}/complete`,
      body: JSON.stringify({ note: 'bench' }),
      expected: [404, 409, 429, 503],
    },
  ];
  const scenarios = all.filter((s) => !only || s.name.includes(only));

  for (const scenario of scenarios) {
    log(`${scenario.name}: ${connections} clients for ${duration} s`);
    const statuses: Record<number, number> = {};
    let finish: (result: Result) => void = () => {};
    let fail: (err: unknown) => void = () => {};
    const finished = new Promise<Result>((resolve, reject) => ((finish = resolve), (fail = reject)));
    const instance = autocannon(
      {
        url: typeof scenario.path === 'string' ? `${base}${scenario.path}` : base,
        connections,
        duration,
        headers,
        method: scenario.method,
        body: scenario.body,
        // The load comes from a thread of its own, not from the event loop that serves the API (a
        // per-request path needs a function, which only runs here).
        ...(typeof scenario.path === 'function'
          ? {
              requests: [
                {
                  setupRequest: (req) => ({ ...req, path: (scenario.path as () => string)() }),
                },
              ],
            }
          : { workers: 1 }),
      },
      (err, result) => (err ? fail(err) : finish(result)),
    );
    instance.on('response', (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    autocannon.track(instance, { renderResultsTable: false, renderLatencyTable: false });
    const result = await finished;
    // From a worker thread the answers are counted by autocannon itself.
    if (Object.keys(statuses).length === 0)
      for (const [status, stat] of Object.entries(result.statusCodeStats ?? {}))
        statuses[Number(status)] = stat?.count ?? 0;
    const unexpected = Object.entries(statuses)
      .filter(([s]) => !(Number(s) < 300 || scenario.expected.includes(Number(s))))
      .reduce((n, [, count]) => n + count, 0);
    const serverErrors = Object.entries(statuses)
      .filter(([s]) => Number(s) >= 500 && Number(s) !== 503)
      .reduce((n, [, count]) => n + count, 0);
    const errors = result.errors + result.timeouts + unexpected;
    if (errors > 0 || serverErrors > 0) exitCode = 1;
    rows.push({
      scenario: scenario.name,
      requests: result.requests.total,
      'req/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      statuses: Object.entries(statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
      errors,
      '5xx': serverErrors,
    });
  }
} finally {
  log('stopping the product');
  await engine.stop();
  await product.stop();
}
console.table(rows);
console.log(JSON.stringify({ connections, duration, scenarios: rows }));
process.exit(exitCode);
