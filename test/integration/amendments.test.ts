import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderAmendments, orderItems, productInventory, simulatorCalls, tasks } from '../../db/schema';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor, orderInState, runningTask, site } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const broadband = (...refs: string[]) => ({
  members: refs.map((r) => site(r, `Site ${r}`)),
  items: refs.map((r) => ({ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: r } })),
});

async function runningFieldTasks(orderId: string, count: number): Promise<string[]> {
  return eventually(async () => {
    const res = await h.http('GET', `/tasks?orderId=${orderId}&kind=field&state=running`);
    return res.body.tasks.length === count
      ? (res.body.tasks as { id: string }[]).map((t) => t.id).sort()
      : undefined;
  }, `${count} running field tasks`);
}

/**
 * A commercial amendment: 202 with its change quote and the order untouched; the change quote submitted
 * (no discount: approved at once) and signed, which applies the amendment to the order.
 */
async function signedChange(orderId: string, body: unknown) {
  const prepared = await h.http('POST', `/orders/${orderId}/amendments`, body);
  expect(prepared.status, JSON.stringify(prepared.body)).toBe(202);
  expect(prepared.body).toMatchObject({ state: 'quoted', effects: null });
  const quoteId = prepared.body.changeQuote.id;
  const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
  expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('approved');
  const signed = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Jens Ohl, CEO' });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  expect(signed.body.changeOf).toMatchObject({
    orderId,
    amendmentState: expect.stringMatching(/^(inProgress|completed)$/),
  });
  const { amendments } = (await h.http('GET', `/orders/${orderId}/amendments`)).body;
  return amendments.find((a: { id: string }) => a.id === prepared.body.id);
}

async function callsFor(orderId: string, operation?: string) {
  const calls = await h.database.db
    .select()
    .from(simulatorCalls)
    .where(like(simulatorCalls.idempotencyKey, `%${orderId}%`));
  return operation ? calls.filter((c) => c.operation === operation) : calls;
}

describe('in-flight amendments', () => {
  it('adds a site: its work is planned and run, the untouched site is not repeated', async () => {
    const { orderId } = await orderFor(h, broadband('ham'));
    const [hamVisit] = await runningFieldTasks(orderId, 1);

    const amended = await signedChange(orderId, {
      add: [
        {
          offeringCode: 'BUSINESS_BROADBAND',
          site: { ref: 'kie', kind: 'location', name: 'Kiel depot', address: 'Kai 2' },
        },
      ],
    });
    expect(amended.effects).toMatchObject({
      newSubOrderIds: [`${orderId}-S02`],
      retiredDomainOrderIds: [],
    });

    const visits = await runningFieldTasks(orderId, 2);
    for (const visit of visits) await h.by('technician-17')('POST', `/tasks/${visit}/complete`, {});
    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.subOrders.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['Site ham', 'completed'],
      ['Kiel depot', 'completed'],
    ]);
    expect(visits).toContain(hamVisit);
    // One activation per site: the first site's was not run again.
    expect(await callsFor(orderId, 'ACTIVATE_BROADBAND_LINE')).toHaveLength(2);
    const inventory = await h.database.db
      .select()
      .from(productInventory)
      .where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => p.state)).toEqual(['active', 'active']);
    // The superseded version stays readable.
    const history = (await h.http('GET', `/orders/${orderId}/amendments`)).body.amendments;
    expect(history).toHaveLength(1);
    expect(history[0].before.map((i: { id: string }) => i.id)).toEqual([`${orderId}-S01-I01`]);
  });

  it('removes a site: its visit is called back, its work compensated once, the other site completes', async () => {
    const { orderId } = await orderFor(h, broadband('ham', 'kie'));
    await runningFieldTasks(orderId, 2);
    const amended = await signedChange(orderId, {
      remove: [{ orderItemId: `${orderId}-S02-I01` }],
    });
    expect(amended.effects).toMatchObject({
      retiredDomainOrderIds: [`${orderId}-S02-D01`],
      removedSubOrderIds: [`${orderId}-S02`],
    });
    const [remaining] = await runningFieldTasks(orderId, 1);
    expect(remaining.startsWith(`${orderId}-S01`)).toBe(true);
    await h.by('technician-17')('POST', `/tasks/${remaining}/complete`, {});
    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.subOrders.map((s: { state: string }) => s.state)).toEqual(['completed', 'cancelled']);
    const compensations = await callsFor(orderId, 'DEACTIVATE_BROADBAND_LINE');
    expect(compensations.map((c) => c.idempotencyKey)).toEqual([`compensate:${orderId}-S02-D01-T01`]);
    const inventory = await h.database.db
      .select()
      .from(productInventory)
      .where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => [p.orderItemId, p.state]).sort()).toEqual([
      [`${orderId}-S01-I01`, 'active'],
      [`${orderId}-S02-I01`, 'cancelled'],
    ]);
    const [removed] = await h.database.db
      .select()
      .from(orderItems)
      .where(eq(orderItems.id, `${orderId}-S02-I01`));
    expect(removed).toMatchObject({ status: 'removed', version: 2 });
  });

  it('changes a characteristic: work still to run uses it, work done is not repeated', async () => {
    const { orderId } = await orderFor(h, {
      members: [site('ham', 'Hamburg HQ')],
      items: [{ offeringCode: 'MANAGED_FIREWALL', appliesTo: { member: 'ham' } }],
    });
    const policy = await runningTask(h, orderId, 'manual');
    const itemId = `${orderId}-S01-I01`;
    const amended = await h.http('POST', `/orders/${orderId}/amendments`, {
      modify: [{ orderItemId: itemId, characteristics: { throughputMbps: 500 } }],
    });
    expect(amended.status, JSON.stringify(amended.body)).toBe(202);
    expect(amended.body.effects).toMatchObject({
      newSubOrderIds: [],
      retiredDomainOrderIds: [],
      removedSubOrderIds: [],
    });
    await h.by('secops')('POST', `/tasks/${policy}/complete`, {});
    await orderInState(h, orderId, 'completed');
    const byCode = async (code: string) =>
      (
        await h.database.db
          .select()
          .from(tasks)
          .where(and(eq(tasks.orderId, orderId), eq(tasks.code, code)))
      )[0];
    // The firewall was provisioned before the change: not again. The monitoring ran after, with it.
    expect(await callsFor(orderId, 'PROVISION_FIREWALL')).toHaveLength(1);
    expect((await byCode('PROVISION_FIREWALL')).result).not.toHaveProperty('configured');
    expect((await byCode('ENROL_SOC_MONITORING')).result).toMatchObject({
      configured: [{ id: itemId, characteristics: { throughputMbps: 500 } }],
    });
    const [item] = await h.database.db.select().from(orderItems).where(eq(orderItems.id, itemId));
    expect(item).toMatchObject({ version: 2, characteristics: { throughputMbps: 500 } });
  });

  it('refuses with 409 once an affected item is past its point of no return, recording nothing', async () => {
    const { orderId } = await orderFor(h, broadband('ham'));
    await runningTask(h, orderId, 'field');
    const dia = await orderFor(h, {
      members: [site('ber', 'Berlin DC')],
      items: [{ offeringCode: 'DIA_1G', appliesTo: { member: 'ber' } }],
    });
    await runningTask(h, dia.orderId, 'field'); // the carrier circuit is ordered before the NTU visit
    const refused = await h.http('POST', `/orders/${dia.orderId}/amendments`, {
      modify: [{ orderItemId: `${dia.orderId}-S01-I01`, characteristics: { bandwidthMbps: 2000 } }],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/pointOfNoReturn/);
    const recorded = await h.database.db
      .select()
      .from(orderAmendments)
      .where(eq(orderAmendments.orderId, dia.orderId));
    expect(recorded).toEqual([]);
    const unknown = await h.http('POST', `/orders/${orderId}/amendments`, {
      remove: [{ orderItemId: 'NOPE' }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'remove.0.orderItemId', rule: 'exists' });
  });
});
