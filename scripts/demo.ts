/**
 * `npm run demo`: a guided order against a running product (`npm start` in another terminal).
 *
 * It creates a multi-site customer (a lead, an account, a quote with a discount the sales manager
 * approves), signs it, orders it, forces a fault on one downstream call, then works the order as the
 * field technicians, the back office and the project manager would, showing a progress bar per sub-order
 * and the Temporal UI link of each workflow. API_URL and TEMPORAL_UI_URL say where the product is.
 */
import { LocalIssuer } from '../api/auth/local-issuer';
import type { Role } from '../domain/roles';
import { dataDir } from '../platform/config';

const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const ui = process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const link = (workflowId: string) =>
  `${ui}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;

/**
 * The people of the demo, each with a token of the product's own issuer (the key `npm start` keeps in the
 * data folder): the desk that sells and orders, the approving manager, and those who work the tasks.
 */
const issuer = await LocalIssuer.open(dataDir);
const people: Record<string, Role[]> = {
  'desk-clara': ['sales', 'orderManager', 'viewer', 'admin'],
  'manager-jonas': ['salesManager'],
  'technician-ole': ['fieldTechnician'],
  'noc-operator': ['backOffice', 'falloutAgent'],
  'pm-lena': ['projectManager'],
};
const tokens = Object.fromEntries(
  await Promise.all(
    Object.entries(people).map(async ([subject, roles]) => [subject, await issuer.sign({ subject, roles })]),
  ),
) as Record<string, string>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API, read loosely
async function call<T = any>(method: string, path: string, body?: unknown, as = 'desk-clara'): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[as]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(3)}/${total}`;
}

interface Task {
  id: string;
  code: string;
  kind: string;
  state: string;
}
interface Tree {
  id: string;
  state: string;
  jeopardy: string;
  progress: { tasks: number; completed: number; percent: number };
  subOrders: { id: string; name: string; state: string; domainOrders: { id: string; tasks: Task[] }[] }[];
}

try {
  await call('GET', '/health');
} catch {
  console.error(`No product answers at ${api}. Start it first with \`npm start\` (or set API_URL).`);
  process.exit(1);
}

console.log(`Demo against ${api}\n`);
const lead = await call('POST', '/leads', { company: 'Nordlicht Logistik GmbH', contactName: 'Mara Voss' });
const account = await call('POST', '/accounts', {
  name: 'Nordlicht Logistik GmbH',
  billingProfile: { billingAddress: 'Speicherstadt 4, 20457 Hamburg', paymentMethod: 'invoice' },
});
const opportunity = await call('POST', `/leads/${lead.id}/convert`, { accountId: account.id });
console.log(`Lead ${lead.id} converted: account ${account.id}, opportunity ${opportunity.id}`);

const quote = await call('POST', '/quotes', {
  accountId: account.id,
  opportunityId: opportunity.id,
  members: [
    { ref: 'hq', kind: 'location', name: 'Hamburg HQ', address: 'Speicherstadt 4, Hamburg' },
    { ref: 'brm', kind: 'location', name: 'Bremen hub', address: 'Überseestadt 9, Bremen' },
    { ref: 'kie', kind: 'location', name: 'Kiel depot', address: 'Kaistraße 2, Kiel' },
    { ref: 'lub', kind: 'location', name: 'Lübeck depot', address: 'Hafenstraße 7, Lübeck' },
  ],
  groups: [{ ref: 'branches', name: 'Branches', memberRefs: ['brm', 'kie', 'lub'] }],
  items: [
    { offeringCode: 'DIA_1G', appliesTo: { member: 'hq' }, discountPct: 12 },
    { offeringCode: 'MANAGED_FIREWALL', appliesTo: { member: 'hq' }, discountPct: 12 },
    { offeringCode: 'SDWAN_SITE', appliesTo: { group: 'branches' }, discountPct: 12 },
    { offeringCode: 'MULTISITE_DEPLOYMENT' },
  ],
});
const priced = quote.versions[0];
console.log(
  `Quote ${quote.id}: ${priced.recurringTotal} ${priced.currency}/month + ${priced.oneOffTotal} one-off, up to ${priced.maxDiscountPct}% off`,
);
const submitted = await call('POST', `/quotes/${quote.id}/submit`);
console.log(`Submitted: ${submitted.state}, awaiting ${submitted.approval?.awaiting ?? 'nobody'}`);
console.log(`  ${link(`quote-approval:${quote.id}:v1`)}`);
if (submitted.state === 'pending') {
  const decided = await call(
    'POST',
    `/quotes/${quote.id}/decisions`,
    { decision: 'approve', comment: 'Strategic logistics account' },
    'manager-jonas',
  );
  console.log(`Sales manager approved: ${decided.state}`);
}
const accepted = await call('POST', `/quotes/${quote.id}/accept`, { signedBy: 'Mara Voss, COO' });
console.log(
  `Signed: sales contract ${accepted.salesContract.id}, ${accepted.serviceContracts.length} service contracts`,
);

// One forced fault: the head office's access-port reservation fails three times, which spends the
// catalog's retry policy; a fall-out case opens, and the demo resolves it as the NOC would: retry.
await call('POST', '/simulator/faults', {
  taskCode: 'RESERVE_ACCESS_PORT',
  count: 3,
  mode: 'error',
  accountId: account.id,
});
console.log('Forced fault: the access-port reservation at the head office will fail three times in a row.\n');
const falloutNotes: string[] = [];

const order = await call<Tree>('POST', '/orders', { quoteId: quote.id });
console.log(`Order ${order.id} (${order.subOrders.length} sub-orders)`);
console.log(`  order      ${link(`order:${order.id}`)}`);
for (const sub of order.subOrders)
  console.log(`  ${sub.id.slice(-3)} ${sub.name.padEnd(14)} ${link(`sub-order:${sub.id}`)}`);
console.log('');

const worked = new Set<string>();
const who = { field: 'technician-ole', manual: 'noc-operator', project: 'pm-lena' } as Record<string, string>;
let drawn = 0;
let printed = '';
let tree: Tree = order;
const started = Date.now();
for (;;) {
  tree = await call<Tree>('GET', `/orders/${order.id}`);
  const pad = Math.max(20, ...tree.subOrders.map((s) => s.name.length + 2));
  const lines = [
    `${'order'.padEnd(pad)} ${bar(tree.progress.completed, tree.progress.tasks)} ${tree.state} (jeopardy ${tree.jeopardy})`,
    ...tree.subOrders.map((s) => {
      const tasks = s.domainOrders.flatMap((d) => d.tasks);
      const done = tasks.filter((t) => t.state === 'completed').length;
      return `  ${s.name.padEnd(pad - 2)} ${bar(done, tasks.length)} ${s.state}`;
    }),
  ];
  // On a terminal the bars redraw in place; in a log, a block is printed each time progress changes.
  const block = lines.join('\n');
  if (process.stdout.isTTY) {
    if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
    process.stdout.write(lines.map((l) => `${l}\x1b[K`).join('\n') + '\n');
    drawn = lines.length;
  } else if (block !== printed) {
    console.log(`${block}\n`);
    printed = block;
  }
  if (['completed', 'failed', 'partial', 'rejected', 'cancelled'].includes(tree.state)) break;

  const cases = (await call('GET', `/fallouts?orderId=${order.id}&state=open`)).fallouts as {
    id: string;
    type: string;
    assignmentGroup: string;
    reason: string;
  }[];
  for (const c of cases) {
    await call(
      'POST',
      `/fallouts/${c.id}/resolve`,
      { action: 'retry', note: 'port profile fixed' },
      'noc-operator',
    );
    falloutNotes.push(
      `Fall-out ${c.id} (${c.type}, ${c.assignmentGroup}): ${c.reason}. Resolved by noc-operator: retry.`,
    );
    console.log(`Fall-out ${c.id} opened and resolved with retry: ${link(`fallout:${c.id}`)}`);
    drawn = 0; // the bars continue below the message
  }

  const running = tree.subOrders
    .flatMap((s) => s.domainOrders.flatMap((d) => d.tasks))
    .filter((t) => t.state === 'running' && t.kind !== 'api');
  for (const t of running) {
    // A person's task: one word each (a project milestone per word), a moment apart.
    if (t.kind !== 'project' && worked.has(t.id)) continue;
    worked.add(t.id);
    await call('POST', `/tasks/${t.id}/complete`, { note: `${t.code} done` }, who[t.kind]);
    await sleep(150);
  }
  await sleep(500);
}

const activation = tree.subOrders
  .flatMap((s) => s.domainOrders.flatMap((d) => d.tasks))
  .find((t) => t.code === 'RESERVE_ACCESS_PORT' && (t as Task & { attempts: number }).attempts > 1);
console.log('');
for (const note of falloutNotes) console.log(note);
if (activation)
  console.log(
    `The forced fault: ${activation.code} (${activation.id}) completed on attempt ` +
      `${(activation as Task & { attempts: number }).attempts}, after its fall-out was resolved.`,
  );
const inventory = await call('GET', `/accounts/${account.id}/inventory`);
console.log(
  `\nOrder ${tree.id} is ${tree.state} in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
    `${inventory.productInventory.length} products active, ${inventory.serviceInventory.length} services, ` +
    `${inventory.configurationItems.length} CMDB items.`,
);
console.log(`Audit trail: ${api}/orders/${tree.id}/audit`);
console.log(
  `In the Temporal UI: ${ui}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`OrderId='${tree.id}'`)}`,
);
