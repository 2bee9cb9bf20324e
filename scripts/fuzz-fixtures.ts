/**
 * Test data for `npm run fuzz`: resources that exist, in the states the operations act on, made through
 * the API before Schemathesis starts. The hook (scripts/fuzz-hooks.py) puts their IDs into half of the
 * schema-valid requests that name a resource, so the fuzzer reaches what lies behind an existing ID (a
 * draft quote to change, accepted quotes to order, an order to hold, amend and cancel, a running task, an
 * open fall-out case) instead of a 404 each time.
 */
import type { Engine } from './scratch-product';

/** By the path segment before `{id}` (`orders`, `productOrder`...), the IDs that exist; body fields too. */
export type Fixtures = Record<string, string[]>;

const site = (ref: string, name: string) => ({ ref, kind: 'location', name, address: `${name} 1, Hamburg` });
const broadband = (refs: string[]) =>
  refs.map((ref) => ({ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: ref } }));

export async function seedFixtures(engine: Engine, log: (line: string) => void): Promise<Fixtures> {
  const { call } = engine;
  const lead = await call('POST', '/leads', { company: 'Fuzz Werft GmbH', contactName: 'Ada Fuzz' });
  const account = await call('POST', '/accounts', {
    name: 'Fuzz Logistik GmbH',
    billingProfile: { billingAddress: 'Fuzzweg 1, Hamburg', paymentMethod: 'invoice' },
  });
  const quoteOf = (refs: string[]) =>
    call('POST', '/quotes', {
      accountId: account.id,
      members: refs.map((ref) => site(ref, `Site ${ref}`)),
      items: broadband(refs),
    });
  const accept = async (id: string) => {
    await call('POST', `/quotes/${id}/submit`);
    await call('POST', `/quotes/${id}/accept`, { signedBy: 'Fuzz CFO' });
  };
  const draft = await quoteOf(['a', 'b']);
  // Accepted quotes without an order, for the fuzzer's own POST /orders.
  const acceptedQuotes: string[] = [];
  for (const refs of [['c'], ['d'], ['e']]) {
    const quote = await quoteOf(refs);
    await accept(quote.id);
    acceptedQuotes.push(quote.id);
  }
  // An order in flight: two sites, their modem installs running, one failed into a fall-out case.
  const ordered = await quoteOf(['f', 'g']);
  await accept(ordered.id);
  const order = await call('POST', '/orders', { quoteId: ordered.id });
  let running: { id: string; domainOrderId: string }[] = [];
  for (const deadline = Date.now() + 120_000; running.length < 2 && Date.now() < deadline;) {
    running = (await call('GET', `/tasks?orderId=${order.id}&state=running&kind=field`)).tasks;
    if (running.length < 2) await new Promise((r) => setTimeout(r, 250));
  }
  if (running.length < 2) throw new Error(`the fixture order ${order.id} did not reach its field tasks`);
  await call('POST', `/tasks/${running[1].id}/fail`, { by: engine.subject, reason: 'no access to the site' });
  let fallouts: { id: string }[] = [];
  for (const deadline = Date.now() + 60_000; fallouts.length === 0 && Date.now() < deadline;) {
    fallouts = (await call('GET', `/fallouts?orderId=${order.id}`)).fallouts;
    if (fallouts.length === 0) await new Promise((r) => setTimeout(r, 250));
  }
  const products = (await call('GET', `/accounts/${account.id}/inventory`)).productInventory;
  const fixtures: Fixtures = {
    leads: [lead.id],
    accounts: [account.id],
    quotes: [draft.id, ordered.id, ...acceptedQuotes],
    quote: [draft.id, ordered.id],
    orders: [order.id],
    productOrder: [order.id],
    tasks: running.map((t) => t.id),
    fallouts: fallouts.map((f) => f.id),
    serviceOrder: [...new Set(running.map((t) => t.domainOrderId))],
    product: products.map((p: { id: string }) => p.id),
    version: ['1'],
    accountId: [account.id],
    quoteId: acceptedQuotes,
  };
  log(
    `fixtures: ${Object.entries(fixtures)
      .map(([key, ids]) => `${key} ${ids.length}`)
      .join(', ')}`,
  );
  return fixtures;
}
