/** 422 unprocessable: every business rule a request breaks is listed, and nothing is written or started. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accounts,
  orderAmendments,
  orderItems,
  orders,
  quoteItems,
  quotes,
  subOrders,
} from '../../db/schema';
import { createAccount, createOrder, createQuote, hq } from './fixtures';
import { expectError, startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});
beforeEach(() => s.temporal.reset());

const rulesOf = (error: { details: { field: string; rule: string }[] }) =>
  error.details.map((d) => `${d.field}:${d.rule}`);

describe('a quote', () => {
  it('lists every rule a new quote breaks: its terms, members, groups and items', async () => {
    const res = await s.http('POST', '/quotes', {
      accountId: 'ACC-NOPE',
      opportunityId: 'OPP-NOPE',
      agreementId: 'AGR-NOPE',
      members: [hq, { ...hq, name: 'Berlin HQ again' }, { ref: 'anna', kind: 'subscriber', name: 'Anna' }],
      groups: [
        { ref: 'hq', name: 'Same ref as a member', memberRefs: ['anna'] },
        { ref: 'empty', name: 'Nobody', memberRefs: [] },
        { ref: 'ghosts', name: 'Unknown', memberRefs: ['ghost'] },
      ],
      items: [
        { offeringCode: 'TELEPATHY_10G', appliesTo: { member: 'hq' } },
        { offeringCode: 'DIA_1G', appliesTo: { member: 'branch' } },
        { offeringCode: 'DIA_1G', appliesTo: { group: 'nowhere' } },
        { offeringCode: 'MOBILE_LINE', appliesTo: { member: 'hq' } },
        { offeringCode: 'DIA_1G' },
      ],
    });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual([
      'accountId:exists',
      'opportunityId:exists',
      'agreementId:exists',
      'members.1.ref:unique',
      'groups.0.ref:unique',
      'groups.1.memberRefs:not_empty',
      'groups.2.memberRefs.0:exists',
      'items.0.offeringCode:in_catalog',
      'items.1.appliesTo.member:exists',
      'items.2.appliesTo.group:exists',
      'items.3.appliesTo:member_kind',
      'items.4.appliesTo:member_kind',
    ]);
  });

  it("refuses another account's opportunity and agreement, writing nothing", async () => {
    const accountId = await createAccount(s);
    const other = await createAccount(s);
    const lead = await s.http('POST', '/leads', { company: 'Nordwind AG' });
    const opportunity = await s.http('POST', `/leads/${lead.body.id}/convert`, { accountId: other });
    const agreement = await s.http('POST', '/agreements', {
      accountId: other,
      maxDiscountPct: 10,
      slas: [{ metric: 'availability', target: 99.9, unit: 'percent' }],
    });
    expect(agreement.status, JSON.stringify(agreement.body)).toBe(201);
    const res = await s.http('POST', '/quotes', {
      accountId,
      opportunityId: opportunity.body.id,
      agreementId: agreement.body.id,
      members: [hq],
      items: [{ offeringCode: 'DIA_1G', appliesTo: { member: 'hq' } }],
    });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual([
      'opportunityId:exists',
      'agreementId:exists',
    ]);
    expect(await s.database.db.select().from(quotes).where(eq(quotes.accountId, accountId))).toEqual([]);
  });

  it('refuses a change of account and lists what else the change breaks, keeping version 1', async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    const res = await s.http('PATCH', `/quotes/${quoteId}`, {
      accountId: await createAccount(s),
      items: [{ offeringCode: 'TELEPATHY_10G', appliesTo: { member: 'hq' } }],
    });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual([
      'accountId:immutable',
      'items.0.offeringCode:in_catalog',
    ]);
    expect((await s.http('GET', `/quotes/${quoteId}`)).body.version).toBe(1);
  });
});

describe('an order', () => {
  it('refuses a quote that does not exist', async () => {
    const res = await s.http('POST', '/orders', { quoteId: 'Q-NOPE' });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual(['quoteId:exists']);
  });

  it('lists a quote not accepted, an account without billing profile and an offering gone from the catalog, creating nothing', async () => {
    const accountId = await createAccount(s, false);
    const quoteId = await createQuote(s, accountId);
    await s.database.db
      .update(quoteItems)
      .set({ offeringCode: 'RETIRED_OFFERING' })
      .where(eq(quoteItems.quoteId, quoteId));
    const res = await s.http('POST', '/orders', { quoteId });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual([
      'quoteId:quote_accepted',
      'accountId:billing_profile',
      'items.1:in_catalog',
    ]);
    expect(await s.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toEqual([]);
    expect(await s.database.db.select().from(accounts).where(eq(accounts.parentId, accountId))).toEqual([]);
    expect(s.temporal.calls).toEqual([]);
  });
});

describe('an amendment', () => {
  it('lists every item it names that is not active, every offering and site that does not fit, recording nothing', async () => {
    const { orderId, order } = await createOrder(s, 'inProgress');
    const [item] = await s.database.db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
    await s.database.db.update(orderItems).set({ status: 'removed' }).where(eq(orderItems.id, item.id));
    s.temporal.reset();
    const site = (ref: string) => ({ ref, kind: 'location', name: `Site ${ref}` });
    const res = await s.http('POST', `/orders/${orderId}/amendments`, {
      add: [
        { offeringCode: 'TELEPATHY_10G', site: site('north') },
        { offeringCode: 'MOBILE_LINE', site: site('south') },
        { offeringCode: 'DIA_1G', site: site('hq') },
      ],
      modify: [{ orderItemId: `${orderId}-NOPE`, characteristics: { bandwidth: 100 } }],
      remove: [{ orderItemId: item.id }],
    });
    expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual([
      'modify.0.orderItemId:exists',
      'remove.0.orderItemId:exists',
      'add.0.offeringCode:in_catalog',
      'add.1.site.kind:member_kind',
      'add.2.site.ref:unique',
    ]);
    expect(
      await s.database.db.select().from(orderAmendments).where(eq(orderAmendments.orderId, orderId)),
    ).toEqual([]);
    const subs = await s.database.db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
    expect(subs).toHaveLength(order.subOrders.length);
    expect(s.temporal.calls).toEqual([]);
  });
});

describe('sales and the simulator', () => {
  it('refuses a lead conversion and an agreement for an account that is not a business account', async () => {
    const lead = await s.http('POST', '/leads', { company: 'Nordwind AG' });
    const convert = await s.http('POST', `/leads/${lead.body.id}/convert`, { accountId: 'ACC-NOPE' });
    expect(rulesOf(expectError(convert, 422, 'unprocessable'))).toEqual(['accountId:exists']);
    const { order } = await createOrder(s);
    const siteAccount = order.subOrders.find((sub: { memberRef: string }) => sub.memberRef === 'hq');
    const agreement = await s.http('POST', '/agreements', {
      accountId: siteAccount.serviceAccountId,
      maxDiscountPct: 10,
      slas: [{ metric: 'availability', target: 99.9, unit: 'percent' }],
    });
    expect(rulesOf(expectError(agreement, 422, 'unprocessable'))).toEqual(['accountId:exists']);
  });

  it('injects faults only into api tasks of the catalog and the approval checks', async () => {
    for (const taskCode of ['TELEPATHY', 'INSTALL_NTU']) {
      const res = await s.http('POST', '/simulator/faults', { taskCode, count: 1, mode: 'error' });
      expect(rulesOf(expectError(res, 422, 'unprocessable'))).toEqual(['taskCode:api_task_in_catalog']);
    }
    expect(s.simulatorCalls).toEqual([]);
    for (const taskCode of ['ALLOCATE_IP_BLOCK', 'CREDIT_CHECK'])
      expect(
        (await s.http('POST', '/simulator/faults', { taskCode, count: 2, mode: 'timeout' })).status,
      ).toBe(201);
    expect(s.simulatorCalls).toEqual([
      ['injectFault', 'ALLOCATE_IP_BLOCK', 2, 'timeout', undefined],
      ['injectFault', 'CREDIT_CHECK', 2, 'timeout', undefined],
    ]);
  });
});
