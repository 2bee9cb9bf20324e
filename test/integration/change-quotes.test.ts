import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderItems, salesContractChanges, subOrders } from '../../db/schema';
import { startHarness, type Harness } from '../harness';
import { orderFor, orderInState, runningTask, site, workToCompletion } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const broadbandAt = (ref: string) => ({
  members: [site(ref, `Site ${ref}`)],
  items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: ref } }],
});
const newSite = (ref: string, discountPct?: number) => ({
  offeringCode: 'BUSINESS_BROADBAND',
  ...(discountPct !== undefined ? { discountPct } : {}),
  site: { ref, kind: 'location', name: `New site ${ref}`, address: `${ref} street 2` },
});
const salesManager = (subject: string) => h.as(subject, 'salesManager');

async function subOrdersOf(orderId: string) {
  return h.database.db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
}

describe('commercial changes through a change quote', () => {
  it('prices an added site, needs approval and signature, and only then changes the order and the contract', async () => {
    const { quoteId, orderId } = await orderFor(h, broadbandAt('ham'));
    await runningTask(h, orderId, 'field');
    const [signedItem] = await h.database.db.select().from(orderItems).where(eq(orderItems.orderId, orderId));

    const prepared = await h.http('POST', `/orders/${orderId}/amendments`, { add: [newSite('kie', 20)] });
    expect(prepared.status, JSON.stringify(prepared.body)).toBe(202);
    expect(prepared.body).toMatchObject({ id: `${orderId}-A01`, state: 'quoted', effects: null });
    const changeQuote = prepared.body.changeQuote;
    // List price less 20 %, and the difference to what was signed is exactly the new line.
    expect(changeQuote.recurringTotal).toBeCloseTo(signedItem.recurringNet * 0.8, 2);
    expect(changeQuote.difference).toEqual({
      recurring: changeQuote.recurringTotal,
      oneOff: changeQuote.oneOffTotal,
    });
    // Nothing reaches the order before the signature.
    expect(await subOrdersOf(orderId)).toHaveLength(1);

    const cq = (await h.http('GET', `/quotes/${changeQuote.id}`)).body;
    expect(cq.changeOf).toEqual({ orderId, amendmentId: `${orderId}-A01`, amendmentState: 'quoted' });
    expect(cq.versions[0].change).toMatchObject({
      orderId,
      signed: { recurring: signedItem.recurringNet, oneOff: signedItem.oneOffNet },
      removed: [],
    });
    // A change quote is neither an order of its own nor revised by itself; one change is open at a time.
    const asOrder = await h.http('POST', '/orders', { quoteId: changeQuote.id });
    expect(asOrder.status).toBe(422);
    expect(asOrder.body.error.details[0]).toMatchObject({ field: 'quoteId', rule: 'change_quote' });
    expect(
      (
        await h.http('PATCH', `/quotes/${changeQuote.id}`, {
          items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'kie' } }],
        })
      ).status,
    ).toBe(409);
    const second = await h.http('POST', `/orders/${orderId}/amendments`, { add: [newSite('lub')] });
    expect(second.status).toBe(409);
    expect(second.body.error.details[0]).toMatchObject({ rule: 'one_open_change' });

    // The same policy and four-eyes rule as any quote: 20 % waits for a sales manager, not its author.
    const submitted = await h.http('POST', `/quotes/${changeQuote.id}/submit`);
    expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('pending');
    expect(submitted.body.approval).toMatchObject({ awaiting: 'salesManager' });
    const inbox = await salesManager('sm-1')('GET', '/approvals?state=pending');
    expect(inbox.body.approvals.map((a: { quoteId: string }) => a.quoteId)).toContain(changeQuote.id);
    const byAuthor = await h.as('tester', 'salesManager')('POST', `/quotes/${changeQuote.id}/decisions`, {
      decision: 'approve',
    });
    expect(byAuthor.status).toBe(403);
    const approved = await salesManager('sm-1')('POST', `/quotes/${changeQuote.id}/decisions`, {
      decision: 'approve',
    });
    expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
    expect(await subOrdersOf(orderId)).toHaveLength(1);

    // The proposal shows the change; the customer signs its PDF; the signature applies the change.
    const authorization = `Bearer ${await h.token('clerk', 'sales')}`;
    const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { authorization } });
    const page = await get(`/quotes/${changeQuote.id}/versions/1/proposal.html`);
    expect(page.body).toContain(`Change to order ${orderId}`);
    const pdf = await get(`/quotes/${changeQuote.id}/versions/1/proposal.pdf`);
    const sha256 = createHash('sha256').update(pdf.rawPayload).digest('hex');
    expect(pdf.headers['x-document-sha256']).toBe(sha256);
    const signed = await h.http('POST', `/quotes/${changeQuote.id}/accept`, {
      signedBy: 'Jens Ohl, CEO',
      documentSha256: sha256,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body).toMatchObject({
      state: 'accepted',
      changeOf: { amendmentState: expect.stringMatching(/^(inProgress|completed)$/) },
    });

    const sites = await subOrdersOf(orderId);
    expect(sites.map((s) => s.memberRef).sort()).toEqual(['ham', 'kie']);
    const [added] = await h.database.db
      .select()
      .from(orderItems)
      .where(eq(orderItems.amendmentId, `${orderId}-A01`));
    // The new item is priced as the customer signed it, not at list price.
    expect(added).toMatchObject({
      recurringNet: changeQuote.recurringTotal,
      oneOffNet: changeQuote.oneOffTotal,
    });

    const contract = (await h.http('GET', `/quotes/${quoteId}`)).body.salesContract;
    expect(contract.changes).toEqual([
      expect.objectContaining({
        changeQuoteId: changeQuote.id,
        orderId,
        amendmentId: `${orderId}-A01`,
        signedBy: 'Jens Ohl, CEO',
        documentSha256: sha256,
        recurringDifference: changeQuote.difference.recurring,
        oneOffDifference: changeQuote.difference.oneOff,
      }),
    ]);
    // A repeated signature (a client's retry) changes nothing more.
    const again = await h.http('POST', `/quotes/${changeQuote.id}/accept`, { signedBy: 'Jens Ohl, CEO' });
    expect(again.status).toBe(200);
    expect(await subOrdersOf(orderId)).toHaveLength(2);

    await workToCompletion(h, orderId);
    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.subOrders.map((s: { state: string }) => s.state)).toEqual(['completed', 'completed']);
    const { amendments } = (await h.http('GET', `/orders/${orderId}/amendments`)).body;
    expect(amendments.map((a: { state: string }) => a.state)).toEqual(['completed']);
  });

  it('a rejected change quote withdraws its change; the next ones remove a site and add one, each kept on the contract', async () => {
    const { quoteId, orderId } = await orderFor(h, {
      members: [site('ham', 'Hamburg'), site('kie', 'Kiel')],
      items: ['ham', 'kie'].map((ref) => ({
        offeringCode: 'BUSINESS_BROADBAND',
        appliesTo: { member: ref },
      })),
    });
    await runningTask(h, orderId, 'field');

    const first = await h.http('POST', `/orders/${orderId}/amendments`, { add: [newSite('lub', 15)] });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    await h.http('POST', `/quotes/${first.body.changeQuote.id}/submit`);
    const rejected = await salesManager('sm-2')('POST', `/quotes/${first.body.changeQuote.id}/decisions`, {
      decision: 'reject',
      comment: 'no discount on a third site',
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    let { amendments } = (await h.http('GET', `/orders/${orderId}/amendments`)).body;
    expect(amendments.map((a: { state: string }) => a.state)).toEqual(['withdrawn']);
    expect(await subOrdersOf(orderId)).toHaveLength(2);

    const removedItem = `${orderId}-S02-I01`;
    const [item] = await h.database.db.select().from(orderItems).where(eq(orderItems.id, removedItem));
    const removal = await h.http('POST', `/orders/${orderId}/amendments`, {
      remove: [{ orderItemId: removedItem }],
    });
    expect(removal.status, JSON.stringify(removal.body)).toBe(202);
    expect(removal.body.changeQuote).toMatchObject({
      recurringTotal: 0,
      difference: { recurring: -item.recurringNet, oneOff: -item.oneOffNet },
    });
    const submitted = await h.http('POST', `/quotes/${removal.body.changeQuote.id}/submit`);
    expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('approved');
    const signed = await h.http('POST', `/quotes/${removal.body.changeQuote.id}/accept`, {
      signedBy: 'Jens Ohl, CEO',
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const [after] = await h.database.db.select().from(orderItems).where(eq(orderItems.id, removedItem));
    expect(after.status).toBe('removed');
    ({ amendments } = (await h.http('GET', `/orders/${orderId}/amendments`)).body);
    expect(amendments.map((a: { state: string }) => a.state)).toEqual([
      'withdrawn',
      expect.stringMatching(/^(inProgress|completed)$/),
    ]);

    // A third change, list price: approved at once, signed, and the contract keeps both signed changes.
    const addition = await h.http('POST', `/orders/${orderId}/amendments`, { add: [newSite('wis')] });
    expect(addition.status, JSON.stringify(addition.body)).toBe(202);
    expect((await h.http('POST', `/quotes/${addition.body.changeQuote.id}/submit`)).body.state).toBe(
      'approved',
    );
    const signedAgain = await h.http('POST', `/quotes/${addition.body.changeQuote.id}/accept`, {
      signedBy: 'Jens Ohl, CEO',
    });
    expect(signedAgain.status, JSON.stringify(signedAgain.body)).toBe(200);
    const contract = (await h.http('GET', `/quotes/${quoteId}`)).body.salesContract;
    expect(
      contract.changes.map(
        (c: { changeQuoteId: string; amendmentId: string; recurringDifference: number }) => [
          c.changeQuoteId,
          c.amendmentId,
          c.recurringDifference,
        ],
      ),
    ).toEqual([
      [removal.body.changeQuote.id, `${orderId}-A02`, -item.recurringNet],
      [addition.body.changeQuote.id, `${orderId}-A03`, addition.body.changeQuote.difference.recurring],
    ]);
    expect(addition.body.changeQuote.difference.recurring).toBeGreaterThan(0);
  });

  it('refuses the signature once the order can no longer take the change, signing nothing', async () => {
    const { orderId } = await orderFor(h, broadbandAt('ham'));
    await runningTask(h, orderId, 'field');
    const prepared = await h.http('POST', `/orders/${orderId}/amendments`, { add: [newSite('kie')] });
    const changeQuoteId = prepared.body.changeQuote.id;
    expect((await h.http('POST', `/quotes/${changeQuoteId}/submit`)).body.state).toBe('approved');
    const cancelled = await h.http('POST', `/orders/${orderId}/cancel`, { reason: 'customer withdrew' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);

    const refused = await h.http('POST', `/quotes/${changeQuoteId}/accept`, { signedBy: 'Jens Ohl, CEO' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/only an order in progress or held can be amended/);
    expect((await h.http('GET', `/quotes/${changeQuoteId}`)).body.state).toBe('approved');
    expect(
      await h.database.db
        .select()
        .from(salesContractChanges)
        .where(eq(salesContractChanges.changeQuoteId, changeQuoteId)),
    ).toEqual([]);
    expect(await subOrdersOf(orderId)).toHaveLength(1);
  });
});
