/**
 * `npm run record-histories`: runs representative orders through the product on a dev server of its own
 * and writes the histories of all their workflows to `test/histories/<scenario>.json`. The replay test
 * (`test/integration/replay.test.ts`) replays them against the current workflow code, so that a change
 * that would break running orders fails CI. Record again (and commit) when a change to workflow code is
 * meant to alter histories, and guard that change with `patched()` for the orders already running;
 * `-- --suffix <name>` writes `<scenario>.<name>.json` beside the histories recorded before the change,
 * so that both the old path of the patch and the new one keep replaying.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { workflowId } from '../workflows/contracts';
import { startScratchProduct } from './scratch-product';

const out = fileURLToPath(new URL('../test/histories/', import.meta.url));
const suffixAt = process.argv.indexOf('--suffix');
const suffix = suffixAt >= 0 ? `.${process.argv[suffixAt + 1]}` : '';
const log = (line: string) => console.log(`[record] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const product = await startScratchProduct(log);
const engine = await product.startEngine({
  approvalDeadlineSeconds: 1,
  fulfilment: { falloutEscalationMs: 1000 },
});
const { call } = engine;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(100);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** An accepted quote for the sites (one location by default) with these offerings each, and its order. */
async function order(offerings: string[], extra: { discountPct?: number; sites?: string[] } = {}) {
  const sites = extra.sites ?? ['hq'];
  const account = await call('POST', '/accounts', {
    name: 'Recorder AG',
    billingProfile: { billingAddress: 'Main 1' },
  });
  const quote = await call('POST', '/quotes', {
    accountId: account.id,
    members: sites.map((ref) => ({ ref, kind: 'location', name: ref, address: `${ref} street 1` })),
    items: offerings.flatMap((offeringCode) =>
      offeringCode === 'MULTISITE_DEPLOYMENT'
        ? [{ offeringCode }]
        : sites.map((ref) => ({
            offeringCode,
            appliesTo: { member: ref },
            discountPct: extra.discountPct ?? 0,
          })),
    ),
  });
  const submitted = await call('POST', `/quotes/${quote.id}/submit`);
  if (submitted.state === 'pending') {
    // Let the sales manager's deadline pass: the finance manager decides after the escalation.
    await until('the escalation', async () => {
      const q = await call('GET', `/quotes/${quote.id}`);
      return q.state === 'pending' && (await approvalAwaits(quote.id)) === 'financeManager'
        ? true
        : undefined;
    });
    await call(
      'POST',
      `/quotes/${quote.id}/decisions`,
      { decision: 'approve' },
      { subject: 'finance-manager', roles: ['financeManager'] },
    );
  }
  await call('POST', `/quotes/${quote.id}/accept`, { signedBy: 'Recorder' });
  const created = await call('POST', '/orders', { quoteId: quote.id });
  return { quoteId: quote.id as string, orderId: created.id as string };
}

async function approvalAwaits(quoteId: string) {
  const status = await product.client.workflow
    .getHandle(workflowId.quoteApproval(quoteId, 1))
    .query<{ awaiting?: string }>('status');
  return status.awaiting;
}

async function running(orderId: string, kind: string): Promise<{ id: string; code: string }[]> {
  return (await call('GET', `/tasks?orderId=${orderId}&kind=${kind}&state=running`)).tasks;
}

/** Completes every running task people work on, until the order is final. */
async function work(orderId: string) {
  return until(`order ${orderId} to end`, async () => {
    for (const kind of ['field', 'manual', 'project'])
      for (const t of await running(orderId, kind))
        await call('POST', `/tasks/${t.id}/complete`, {}).catch(() => undefined);
    const tree = await call('GET', `/orders/${orderId}`);
    return ['completed', 'failed', 'partial', 'cancelled'].includes(tree.state) ? tree.state : undefined;
  });
}

async function openCase(orderId: string): Promise<string> {
  return until(
    'a fall-out case',
    async () => (await call('GET', `/fallouts?orderId=${orderId}&state=open`)).fallouts[0]?.id,
  );
}

async function failFirstField(orderId: string) {
  const [t] = await until('a field task', async () => {
    const tasks = await running(orderId, 'field');
    return tasks.length > 0 ? tasks : undefined;
  });
  await call('POST', `/tasks/${t.id}/fail`, { reason: 'recorded failure' });
  return openCase(orderId);
}

/** How many scenarios this script records: its progress is `[record] k/7 …`, a plain line each. */
const SCENARIOS = 7;
let saved = 0;

/** Writes every workflow of the order (and the quote's approval) to one file per scenario. */
async function save(scenario: string, ids: { orderId: string; quoteId: string }, expected: string) {
  const { state } = await call('GET', `/orders/${ids.orderId}`);
  if (state !== expected)
    throw new Error(`${scenario}: order ${ids.orderId} ended ${state}, not ${expected}`);
  await sleep(1500); // visibility is eventually consistent
  const histories: { workflowId: string; history: string }[] = [];
  const seen = new Set<string>();
  const workflowIds = [workflowId.quoteApproval(ids.quoteId, 1)];
  for await (const wf of product.client.workflow.list({ query: `OrderId='${ids.orderId}'` }))
    workflowIds.push(wf.workflowId);
  for (const id of workflowIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    const history = await product.client.workflow.getHandle(id).fetchHistory();
    // Stored as the protobuf encoding, base64: exact, compact, and read back by the replay test.
    const encoded = proto.temporal.api.history.v1.History.encode(history).finish();
    histories.push({ workflowId: id, history: Buffer.from(encoded).toString('base64') });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, `${scenario}${suffix}.json`), JSON.stringify(histories));
  log(`${++saved}/${SCENARIOS} ${scenario}: order ${state}, ${histories.length} workflow histories`);
}

try {
  // Complete: api, field, manual and project tasks; an approval escalated then approved.
  const complete = await order(['SDWAN_SITE', 'MULTISITE_DEPLOYMENT'], { discountPct: 20 });
  await work(complete.orderId);
  await save('completed', complete, 'completed');

  // Fall-outs resolved each way: complete, skip, retry, abort.
  const completed = await order(['BUSINESS_BROADBAND']);
  await call('POST', `/fallouts/${await failFirstField(completed.orderId)}/resolve`, {
    action: 'complete',
    data: { serial: 'X1' },
  });
  await work(completed.orderId);
  await save('fallout-complete', completed, 'completed');

  const skipped = await order(['MANAGED_FIREWALL']);
  const [policy] = await until('the policy task', async () => {
    const t = await running(skipped.orderId, 'manual');
    return t.length > 0 ? t : undefined;
  });
  await call('POST', `/tasks/${policy.id}/fail`, { reason: 'no rule set' });
  await call('POST', `/fallouts/${await openCase(skipped.orderId)}/resolve`, { action: 'skip' });
  await work(skipped.orderId);
  await save('fallout-skip', skipped, 'completed');

  const retried = await order(['BUSINESS_BROADBAND']);
  const retryCase = await failFirstField(retried.orderId);
  await sleep(1500); // past the escalation deadline: the case moves to the next group first
  await call('POST', `/fallouts/${retryCase}/resolve`, { action: 'retry' });
  await work(retried.orderId);
  await save('fallout-retry', retried, 'completed');

  const aborted = await order(['BUSINESS_BROADBAND']);
  await call('POST', `/fallouts/${await failFirstField(aborted.orderId)}/resolve`, { action: 'abort' });
  await work(aborted.orderId);
  await save('fallout-abort', aborted, 'failed');

  // Amended in flight: a site added, a site removed, an item's characteristic changed.
  const amended = await order(['BUSINESS_BROADBAND'], { sites: ['ham', 'kie'] });
  await until('two field visits', async () =>
    (await running(amended.orderId, 'field')).length === 2 ? true : undefined,
  );
  const change = await call('POST', `/orders/${amended.orderId}/amendments`, {
    add: [
      {
        offeringCode: 'BUSINESS_BROADBAND',
        site: { ref: 'lub', kind: 'location', name: 'lub', address: 'lub 1' },
      },
    ],
    remove: [{ orderItemId: `${amended.orderId}-S02-I01` }],
    modify: [{ orderItemId: `${amended.orderId}-S01-I01`, characteristics: { downloadMbps: 250 } }],
  });
  // A commercial change: its change quote (no discount: approved at once) is signed, which applies it.
  await call('POST', `/quotes/${change.changeQuote.id}/submit`);
  await call('POST', `/quotes/${change.changeQuote.id}/accept`, { signedBy: 'Recorder' });
  await work(amended.orderId);
  await save('amended', amended, 'completed');

  // Held, resumed, then cancelled with compensation.
  const cancelled = await order(['SDWAN_SITE']);
  await until('two field visits', async () =>
    (await running(cancelled.orderId, 'field')).length === 2 ? true : undefined,
  );
  await call('POST', `/orders/${cancelled.orderId}/hold`, { reason: 'recorded hold' });
  await call('POST', `/orders/${cancelled.orderId}/resume`, {});
  await call('POST', `/orders/${cancelled.orderId}/cancel`, { reason: 'recorded cancellation' });
  await work(cancelled.orderId);
  await save('cancelled', cancelled, 'cancelled');
} finally {
  await engine.stop();
  await product.stop();
}
