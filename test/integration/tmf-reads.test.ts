/**
 * The TMF read APIs on the real worker, Temporal and PostgreSQL: a two-site order worked to completed, then
 * its quote (TMF648), service orders (TMF641), products (TMF637) and services (TMF638) read as a TMF client
 * would, every answer validated against the official definitions; a quote still being negotiated too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type Http } from '../harness';
import { billingProfile, createQuote, site, workToCompletion } from '../lifecycle';
import { expectTmf, expectTmfOf } from '../tmf-schema';

let h: Harness;
let crm: Http;
beforeAll(async () => {
  h = await startHarness();
  crm = h.as('crm', 'integration');
});
afterAll(async () => {
  await h?.stop();
});

const api = {
  quote: '/tmf-api/quoteManagement/v4',
  serviceOrder: '/tmf-api/serviceOrdering/v4',
  product: '/tmf-api/productInventory/v4',
  service: '/tmf-api/serviceInventory/v4',
};

async function completedOrder(): Promise<{ accountId: string; quoteId: string; orderId: string }> {
  const account = await h.http('POST', '/accounts', { name: 'Weser Werft AG', billingProfile });
  const accountId = account.body.id;
  const quoteId = await createQuote(h, accountId, {
    members: [site('yard', 'Shipyard'), site('office', 'Office')],
    items: [
      { offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'yard' } },
      { offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'office' } },
    ],
  });
  await h.http('POST', `/quotes/${quoteId}/submit`);
  await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'CFO' });
  const order = await crm('POST', '/tmf-api/productOrderingManagement/v4/productOrder', {
    quote: [{ id: quoteId }],
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  const orderId = order.body.id;
  await workToCompletion(h, orderId);
  return { accountId, quoteId, orderId };
}

function expectPage(
  res: { status: number; headers: Record<string, unknown>; body: unknown[] },
  total: number,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers['x-total-count']).toBe(String(total));
  expect(res.headers['x-result-count']).toBe(String(res.body.length));
}

describe('TMF read APIs', () => {
  it('shows a completed order as quote, service orders, products and services, each valid TMF', async () => {
    const { accountId, quoteId, orderId } = await completedOrder();

    const quote = await crm('GET', `${api.quote}/quote/${quoteId}`);
    expect(quote.status).toBe(200);
    expectTmfOf('TMF648', 'Quote', quote.body);
    expect(quote.body).toMatchObject({ id: quoteId, state: 'accepted', version: '1' });
    expect(quote.body.quoteItem).toHaveLength(2);
    const quotes = await crm('GET', `${api.quote}/quote?relatedParty.id=${accountId}`);
    expectPage(quotes, 1);
    quotes.body.forEach((q: unknown) => expectTmfOf('TMF648', 'Quote', q));

    const orders = await crm('GET', `${api.serviceOrder}/serviceOrder?externalReference.id=${orderId}`);
    expect(orders.body.length).toBeGreaterThanOrEqual(2);
    expectPage(orders, orders.body.length);
    for (const so of orders.body) {
      expectTmfOf('TMF641', 'ServiceOrder', so);
      expect(so.state).toBe('completed');
      expect(so.serviceOrderItem.every((i: { state: string }) => i.state === 'completed')).toBe(true);
    }
    const one = await crm('GET', `${api.serviceOrder}/serviceOrder/${orders.body[0].id}?fields=state`);
    expect(Object.keys(one.body).sort()).toEqual(['@type', 'href', 'id', 'state']);
    const firstPage = await crm(
      'GET',
      `${api.serviceOrder}/serviceOrder?externalReference.id=${orderId}&limit=1`,
    );
    expectPage(firstPage, orders.body.length);
    expect(firstPage.body).toHaveLength(1);

    const products = await crm('GET', `${api.product}/product?productOrderItem.productOrderId=${orderId}`);
    expectPage(products, 2);
    for (const p of products.body) {
      expectTmfOf('TMF637', 'Product', p);
      expect(p).toMatchObject({ status: 'active', productOffering: { id: 'BUSINESS_BROADBAND' } });
    }
    const product = await crm('GET', `${api.product}/product/${products.body[0].id}`);
    expectTmfOf('TMF637', 'Product', product.body);

    const services = await crm('GET', `${api.service}/service?relatedParty.id=${accountId}&state=active`);
    expect(services.body.length).toBe(orders.body.length);
    for (const s of services.body) expectTmfOf('TMF638', 'Service', s);
    const service = await crm('GET', `${api.service}/service/${services.body[0].id}`);
    expectTmfOf('TMF638', 'Service', service.body);
    const related = service.body.relatedEntity as { id: string; role: string }[];
    const madeBy = related.find((r) => r.role === 'serviceOrder')!;
    expect(orders.body.map((o: { id: string }) => o.id)).toContain(madeBy.id);
    const realizes = related.filter((r) => r.role === 'realizes').map((r) => r.id);
    expect(realizes.length).toBeGreaterThan(0);
    expect(products.body.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(realizes));
  });

  it('shows a quote in negotiation and its earlier version; answers 404 and 405 in the TMF shape', async () => {
    const account = await h.http('POST', '/accounts', { name: 'Lotsenhaus eG', billingProfile });
    const quoteId = await createQuote(h, account.body.id, {
      members: [site('pier', 'Pier office')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'pier' } }],
    });
    expect(
      (
        await h.http('PATCH', `/quotes/${quoteId}`, {
          items: [{ offeringCode: 'BUSINESS_BROADBAND', quantity: 2, appliesTo: { member: 'pier' } }],
        })
      ).status,
    ).toBe(200);
    const current = await crm('GET', `${api.quote}/quote/${quoteId}`);
    expectTmfOf('TMF648', 'Quote', current.body);
    expect(current.body).toMatchObject({ state: 'inProgress', version: '2' });
    expect(current.body.quoteItem[0].quantity).toBe(2);
    const first = await crm('GET', `${api.quote}/quote/${quoteId}?version=1`);
    expectTmfOf('TMF648', 'Quote', first.body);
    expect(first.body).toMatchObject({ version: '1', state: 'cancelled' });

    for (const path of [
      `${api.quote}/quote/Q-NOPE`,
      `${api.serviceOrder}/serviceOrder/DO-NOPE`,
      `${api.product}/product/P-NOPE`,
      `${api.service}/service/S-NOPE`,
    ]) {
      const missing = await crm('GET', path);
      expect(missing.status, path).toBe(404);
      expectTmf('Error', missing.body);
    }
    const refused = await crm('DELETE', `${api.product}/product/P-1`);
    expect(refused.status).toBe(405);
    expectTmf('Error', refused.body);
    expect((await h.as('tech', 'fieldTechnician')('GET', `${api.service}/service`)).status).toBe(403);
  });
});
