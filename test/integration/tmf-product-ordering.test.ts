import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness, type Http } from '../harness';
import { billingProfile, createQuote, runningTask, site } from '../lifecycle';
import { expectTmf } from '../tmf-schema';

let h: Harness;
/** The CRM: a machine client that holds `integration` only and knows nothing of our own API. */
let crm: Http;
beforeAll(async () => {
  h = await startHarness();
  crm = h.as('crm', 'integration');
});
afterAll(async () => {
  await h?.stop();
});

const base = '/tmf-api/productOrderingManagement/v4';

async function customer(name = 'Nordlicht Reederei GmbH'): Promise<string> {
  const res = await h.http('POST', '/accounts', { name, billingProfile });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A quote of `items` over `members`, submitted (no discount: approved at once) and accepted. */
async function acceptedQuote(accountId: string, quote: Record<string, unknown>): Promise<string> {
  const quoteId = await createQuote(h, accountId, quote);
  expect((await h.http('POST', `/quotes/${quoteId}/submit`)).body.state).toBe('approved');
  const accepted = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Ole Hansen, CEO' });
  expect(accepted.body.state).toBe('accepted');
  return quoteId;
}

async function productOrder(id: string) {
  const res = await crm('GET', `${base}/productOrder/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expectTmf('ProductOrder', res.body);
  return res.body;
}

async function productOrderIn(id: string, state: string) {
  return eventually(async () => {
    const order = await productOrder(id);
    return order.state === state ? order : undefined;
  }, `product order ${id} to be ${state}`);
}

/** Completes every person's task of the order as it comes up (the technicians' visits) until it is final. */
async function workTheOrder(orderId: string): Promise<string> {
  return eventually(
    async () => {
      const running = (await h.http('GET', `/tasks?orderId=${orderId}&state=running`)).body.tasks as {
        id: string;
        kind: string;
      }[];
      for (const t of running.filter((r) => r.kind !== 'api'))
        expect((await h.by('technician')('POST', `/tasks/${t.id}/complete`, {})).status).toBe(202);
      const order = (await h.http('GET', `/orders/${orderId}`)).body;
      return ['completed', 'failed', 'partial', 'cancelled', 'rejected'].includes(order.state)
        ? order.state
        : undefined;
    },
    `order ${orderId} to be worked to the end`,
    90_000,
  );
}

const threeSites = {
  members: [site('hh', 'Hamburg office'), site('hb', 'Bremen office'), site('ki', 'Kiel office')],
  items: ['hh', 'hb', 'ki'].map((ref) => ({
    offeringCode: 'BUSINESS_BROADBAND',
    appliesTo: { member: ref },
  })),
};

describe('TMF622 productOrder from an accepted quote', () => {
  it('creates the same order as POST /orders, follows it to completed, and every answer is TMF622', async () => {
    const accountId = await customer();
    const quoteId = await acceptedQuote(accountId, threeSites);

    const created = await crm('POST', `${base}/productOrder`, {
      '@type': 'ProductOrder',
      '@schemaLocation': 'https://example.com/ProductOrder.json',
      quote: [{ id: quoteId, '@referredType': 'Quote' }],
      relatedParty: [{ id: accountId, role: 'customer', '@referredType': 'Organization' }],
      note: [{ text: 'Please call before each visit', '@type': 'Note' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectTmf('ProductOrder', created.body);
    const order = created.body;
    expect(order).toMatchObject({
      href: `${base}/productOrder/${order.id}`,
      '@type': 'ProductOrder',
      state: 'acknowledged',
      quote: [{ id: quoteId }],
      relatedParty: [{ id: accountId, role: 'customer', name: 'Nordlicht Reederei GmbH' }],
      note: [{ text: 'Please call before each visit', author: 'crm' }],
    });
    expect(order.productOrderItem).toHaveLength(3);
    expect(order.productOrderItem.map((i: any) => i.product.place[0].name).sort()).toEqual([
      'Bremen office',
      'Hamburg office',
      'Kiel office',
    ]);
    for (const item of order.productOrderItem) {
      expectTmf('ProductOrderItem', item);
      expect(item).toMatchObject({ action: 'add', productOffering: { id: 'BUSINESS_BROADBAND' } });
    }
    expect(order.orderTotalPrice[0]).toMatchObject({
      priceType: 'recurring',
      price: { dutyFreeAmount: { unit: 'EUR', value: 3 * 59 } },
    });
    // It is our order: the own API sees it, and a second order from the same quote is refused.
    expect((await h.http('GET', `/orders/${order.id}`)).body.quoteId).toBe(quoteId);
    const again = await crm('POST', `${base}/productOrder`, { quote: [{ id: quoteId }] });
    expect(again.status).toBe(409);
    expectTmf('Error', again.body);

    // Listing: filters, paging headers, fields.
    const listed = await crm(
      'GET',
      `${base}/productOrder?relatedParty.id=${accountId}&orderDate.gt=2000-01-01T00:00:00Z&limit=5`,
    );
    expect(listed.status).toBe(200);
    expect(listed.headers['x-total-count']).toBe('1');
    expect(listed.headers['x-result-count']).toBe('1');
    listed.body.forEach((o: unknown) => expectTmf('ProductOrder', o));
    const future = await crm(
      'GET',
      `${base}/productOrder?relatedParty.id=${accountId}&orderDate.gt=2999-01-01`,
    );
    expect(future.body).toEqual([]);
    expect(future.headers['x-total-count']).toBe('0');
    const slim = await crm('GET', `${base}/productOrder/${order.id}?fields=state,orderDate`);
    expect(Object.keys(slim.body).sort()).toEqual(['@type', 'href', 'id', 'orderDate', 'state']);

    // Followed to completed, the technicians' visits done as today.
    await productOrderIn(order.id, 'inProgress');
    expect(await workTheOrder(order.id)).toBe('completed');
    const done = await productOrderIn(order.id, 'completed');
    expect(done.completionDate).toBeTruthy();
    expect(done.expectedCompletionDate).toBeTruthy();
    expect(done.productOrderItem.map((i: any) => i.state)).toEqual(['completed', 'completed', 'completed']);
    const completedList = await crm(
      'GET',
      `${base}/productOrder?state=completed&relatedParty.id=${accountId}`,
    );
    expect(completedList.body.map((o: any) => o.id)).toEqual([order.id]);
  });
});

describe('TMF622 productOrder from items alone', () => {
  it(
    'prices standard offers from the catalog, runs the same lifecycle, and completes',
    { timeout: 120_000 },
    async () => {
      const accountId = await customer('Fischmarkt Altona KG');
      const created = await crm(
        'POST',
        `${base}/productOrder`,
        {
          relatedParty: [{ id: accountId, role: 'customer', '@referredType': 'Organization' }],
          requestedCompletionDate: '2031-05-01T00:00:00Z',
          productOrderItem: [
            {
              id: '1',
              action: 'add',
              productOffering: { id: 'ONNET_DIA', '@referredType': 'ProductOffering' },
              product: {
                place: [
                  {
                    id: 'altona',
                    name: 'Altona market hall',
                    role: 'installationAddress',
                    streetName: 'Große Elbstraße',
                    streetNr: '9',
                    postcode: '22767',
                    city: 'Hamburg',
                    '@type': 'GeographicAddress',
                  },
                ],
              },
              '@type': 'ProductOrderItem',
            },
            {
              id: '2',
              action: 'add',
              productOffering: { id: 'BUSINESS_BROADBAND' },
              product: { place: [{ id: 'altona', name: 'Altona market hall', role: 'installationAddress' }] },
            },
          ],
        },
        { 'idempotency-key': `portal-${accountId}` },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expectTmf('ProductOrder', created.body);
      const order = created.body;
      expect(order.requestedCompletionDate).toBe('2031-05-01T00:00:00.000Z');
      expect(order.productOrderItem.map((i: any) => [i.productOffering.id, i.product.place[0].id])).toEqual([
        ['ONNET_DIA', 'altona'],
        ['BUSINESS_BROADBAND', 'altona'],
      ]);
      expect(order.productOrderItem[1].itemPrice.map((p: any) => p.price.dutyFreeAmount.value)).toEqual([
        59, 99,
      ]);
      // The quote behind it: made, approved by policy and accepted for the caller.
      const quote = await h.http('GET', `/quotes/${order.quote[0].id}`);
      expect(quote.body.state).toBe('accepted');
      // One site, one sub-order.
      expect((await h.http('GET', `/orders/${order.id}`)).body.subOrders).toHaveLength(1);
      // The same Idempotency-Key answers the same order.
      const repeated = await crm(
        'POST',
        `${base}/productOrder`,
        { productOrderItem: [{ id: '1', action: 'add' }] },
        {
          'idempotency-key': `portal-${accountId}`,
        },
      );
      expect(repeated.status).toBe(201);
      expect(repeated.body.id).toBe(order.id);

      expect(await workTheOrder(order.id)).toBe('completed');
      const done = await productOrderIn(order.id, 'completed');
      expect(done.productOrderItem.every((i: any) => i.state === 'completed')).toBe(true);
    },
  );

  it('refuses what it cannot honour, every problem named, in the TMF error shape', async () => {
    const accountId = await customer('Speicherstadt Kaffee AG');
    const refused = await crm('POST', `${base}/productOrder`, {
      relatedParty: [{ id: accountId, role: 'customer' }],
      productOrderItem: [
        { id: '1', action: 'modify', productOffering: { id: 'ONNET_DIA' } },
        { id: '2', action: 'add', productOffering: { id: 'NO_SUCH_OFFER' } },
        { id: '3', action: 'add', productOffering: { id: 'ONNET_DIA' } },
      ],
    });
    expect(refused.status).toBe(422);
    expectTmf('Error', refused.body);
    expect(refused.body).toMatchObject({ code: 'unprocessable', status: '422' });
    expect(refused.body.message).toMatch(/productOrderItem\.0\.action/);
    expect(refused.body.message).toMatch(/NO_SUCH_OFFER is not in the catalog/);
    expect(refused.body.message).toMatch(/productOrderItem\.2\.product\.place/);

    const unknownField = await crm('POST', `${base}/productOrder`, {
      quote: [{ id: 'Q-NONE' }],
      payment: [{ id: 'P1' }],
    });
    expect(unknownField.status).toBe(400);
    expectTmf('Error', unknownField.body);
    expect(unknownField.body.message).toMatch(/payment/);

    const missing = await crm('GET', `${base}/productOrder/ORD-NONE`);
    expect(missing.status).toBe(404);
    expectTmf('Error', missing.body);
    const anonymous = await h.http('GET', `${base}/productOrder`, undefined, { authorization: '' });
    expect(anonymous.status).toBe(401);
    expectTmf('Error', anonymous.body);
    const salesDesk = await h.as('sam', 'sales')('POST', `${base}/productOrder`, { quote: [{ id: 'Q-1' }] });
    expect(salesDesk.status).toBe(403);
    expectTmf('Error', salesDesk.body);
    // Whatever a caller sends is an answer in the TMF shape, never a 500.
    const odd: [string, string, unknown, Record<string, string>?][] = [
      ['POST', '/productOrder', '[1,2]'],
      ['POST', '/productOrder', '{"quote": [{"id": "Q-1"}]', { 'content-type': 'application/json' }],
      ['POST', '/productOrder', 'quote', { 'content-type': 'text/plain' }],
      ['POST', '/productOrder', { quote: [{ id: 'Q-NONE' }] }],
      ['POST', '/productOrder', { quote: [{ id: 'Q-1' }, { id: 'Q-2' }] }],
      ['PATCH', '/productOrder/ORD-NONE', { note: [{ text: 'x' }] }],
      ['PATCH', '/productOrder/ORD-NONE', 'null', { 'content-type': 'application/merge-patch+json' }],
      ['GET', '/productOrder?orderDate.gt=yesterday', undefined],
      ['GET', '/productOrder?state=done', undefined],
      ['GET', '/productOrder?state=held&state=completed', undefined],
      ['GET', '/productOrder?limit=0', undefined],
      ['GET', '/productOrder?colour=blue', undefined],
      ['GET', '/cancelProductOrder/CAN-NONE', undefined],
      ['POST', '/cancelProductOrder', { productOrder: {} }],
    ];
    for (const [method, path, body, headers] of odd) {
      const res = await crm(method as 'GET', `${base}${path}`, body, headers);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expectTmf('Error', res.body);
    }
    const noRoute = await crm('GET', `${base}/productOffering`);
    expect(noRoute.status).toBe(404);
    expectTmf('Error', noRoute.body);
  });
});

describe('PATCH productOrder', () => {
  it('changes the requested date and adds notes in flight; refuses anything else with the reason', async () => {
    const accountId = await customer('Elbe Werft GmbH');
    const quoteId = await acceptedQuote(accountId, {
      members: [site('yard', 'Shipyard')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'yard' } }],
    });
    const { body: order } = await crm('POST', `${base}/productOrder`, { quote: [{ id: quoteId }] });
    await runningTask(h, order.id, 'field');

    const patched = await crm(
      'PATCH',
      `${base}/productOrder/${order.id}`,
      JSON.stringify({
        requestedCompletionDate: '2032-01-31T12:00:00Z',
        note: [{ text: 'Gate 3, ask for Jan' }],
        '@type': 'ProductOrder',
      }),
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expectTmf('ProductOrder', patched.body);
    expect(patched.body.requestedCompletionDate).toBe('2032-01-31T12:00:00.000Z');
    expect(patched.body.note).toEqual([
      expect.objectContaining({ text: 'Gate 3, ask for Jan', author: 'crm' }),
    ]);
    expect((await h.http('GET', `/orders/${order.id}`)).body.dueDate).toBe('2032-01-31T12:00:00.000Z');

    const refused = await crm('PATCH', `${base}/productOrder/${order.id}`, {
      state: 'completed',
      productOrderItem: [],
      priority: '1',
    });
    expect(refused.status).toBe(422);
    expectTmf('Error', refused.body);
    expect(refused.body.message).toMatch(/state cannot be patched: .*cancelProductOrder/);
    expect(refused.body.message).toMatch(/productOrderItem cannot be patched: .*amendments/);
    expect(refused.body.message).toMatch(/priority cannot be patched/);
    const badDate = await crm('PATCH', `${base}/productOrder/${order.id}`, {
      requestedCompletionDate: 'soon',
    });
    expect(badDate.status).toBe(400);
    expectTmf('Error', badDate.body);

    // Any date ISO 8601 writes reads back as it was written, year 20 and 1 BC (year 0) included: the
    // fuzzer found a year before 1000 stored and then every read of the order a 500.
    for (const date of ['0020-02-29', '0000-06-01T08:30:00Z', '9999-12-31T23:59:59.999Z']) {
      const odd = await crm(
        'PATCH',
        `${base}/productOrder/${order.id}`,
        JSON.stringify({ requestedCompletionDate: date }),
        { 'content-type': 'application/merge-patch+json' },
      );
      expect(odd.status, JSON.stringify(odd.body)).toBe(200);
      const written = new Date(date).toISOString();
      expect(odd.body.requestedCompletionDate).toBe(written);
      expect((await h.http('GET', `/orders/${order.id}`)).body.dueDate).toBe(written);
      expect((await h.http('GET', `/orders?accountId=${accountId}`)).status).toBe(200);
    }
  });
});

describe('cancelProductOrder', () => {
  it('before the point of no return: acknowledged, inProgress, then done once the order is cancelled', async () => {
    const accountId = await customer('Hafen Kiosk OHG');
    const quoteId = await acceptedQuote(accountId, {
      members: [site('kiosk', 'Landungsbrücken kiosk')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'kiosk' } }],
    });
    const { body: order } = await crm('POST', `${base}/productOrder`, { quote: [{ id: quoteId }] });
    await runningTask(h, order.id, 'field');

    const cancel = await crm('POST', `${base}/cancelProductOrder`, {
      productOrder: { id: order.id, '@referredType': 'ProductOrder' },
      cancellationReason: 'kiosk closes',
      '@type': 'CancelProductOrder',
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expectTmf('CancelProductOrder', cancel.body);
    expect(cancel.body).toMatchObject({ state: 'inProgress', productOrder: { id: order.id } });

    const done = await eventually(async () => {
      const res = await crm('GET', `${base}/cancelProductOrder/${cancel.body.id}`);
      expectTmf('CancelProductOrder', res.body);
      return res.body.state === 'done' ? res.body : undefined;
    }, 'the cancellation to be done');
    expect(done.effectiveCancellationDate).toBeTruthy();
    const cancelled = await productOrder(order.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.productOrderItem[0].state).toBe('cancelled');

    const listed = await crm('GET', `${base}/cancelProductOrder?productOrder.id=${order.id}&state=done`);
    expect(listed.headers['x-total-count']).toBe('1');
    listed.body.forEach((c: unknown) => expectTmf('CancelProductOrder', c));
  });

  it('after the point of no return: terminatedWithError with the reason, and the order goes on', async () => {
    const accountId = await customer('Blankenese Segelclub e.V.');
    const quoteId = await acceptedQuote(accountId, {
      members: [site('club', 'Club house')],
      items: [{ offeringCode: 'DIA_1G', appliesTo: { member: 'club' } }],
    });
    const { body: order } = await crm('POST', `${base}/productOrder`, { quote: [{ id: quoteId }] });
    await runningTask(h, order.id, 'field'); // the carrier circuit is ordered before the NTU visit

    const cancel = await crm('POST', `${base}/cancelProductOrder`, {
      productOrder: { id: order.id },
      cancellationReason: 'budget cut',
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expectTmf('CancelProductOrder', cancel.body);
    expect(cancel.body.state).toBe('terminatedWithError');
    expect(cancel.body.errorMessage[0].reason).toMatch(/pointOfNoReturn/);
    expect((await productOrder(order.id)).state).toBe('inProgress');
    const read = await crm('GET', `${base}/cancelProductOrder/${cancel.body.id}`);
    expect(read.body.state).toBe('terminatedWithError');

    const unknown = await crm('POST', `${base}/cancelProductOrder`, { productOrder: { id: 'ORD-NONE' } });
    expect(unknown.status).toBe(422);
    expectTmf('Error', unknown.body);
  });
});
