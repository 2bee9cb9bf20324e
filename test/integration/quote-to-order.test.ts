import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accounts,
  auditEvents,
  orderItems,
  orders,
  salesContracts,
  serviceContracts,
  subOrders,
} from '../../db/schema';
import { quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { billingProfile } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  // Each approver gets 2 seconds here, instead of 48 hours.
  h = await startHarness({ approvalDeadlineSeconds: 2 });
});
afterAll(async () => {
  await h?.stop();
});

const slas = [
  { metric: 'availability', target: 99.95, unit: 'percent' },
  { metric: 'timeToRestore', target: 4, unit: 'hours' },
];

/**
 * The acceptance scenario, through the HTTP API alone: 3 locations, a group of 2 of them with a
 * shared offer, one account-level item, 30% off; submitted, escalated, approved, accepted and ordered.
 */
describe('quote to order: 3 sites, a group, an account item, 30% off', () => {
  it('goes through submit, escalation, approval, acceptance and order creation, leaving exactly the records the process calls for', async () => {
    const { db } = h.database;
    // Stage 1: a lead becomes an opportunity of the customer, who has a frame agreement.
    const account = await h.http('POST', '/accounts', { name: 'Hanse Logistik GmbH', billingProfile });
    const accountId: string = account.body.id;
    const lead = await h.http('POST', '/leads', { company: 'Hanse Logistik GmbH', contactName: 'Jens Ohl' });
    const opportunity = await h.http('POST', `/leads/${lead.body.id}/convert`, { accountId });
    const agreement = await h.http('POST', '/agreements', { accountId, maxDiscountPct: 35, slas });
    expect([account.status, lead.status, opportunity.status, agreement.status]).toEqual([201, 201, 201, 201]);

    // Stage 2: the quote.
    const created = await h.http('POST', '/quotes', {
      accountId,
      opportunityId: opportunity.body.id,
      agreementId: agreement.body.id,
      members: [
        { ref: 'ham', kind: 'location', name: 'Hamburg HQ', address: 'Am Sandtorkai 1, 20457 Hamburg' },
        { ref: 'brm', kind: 'location', name: 'Bremen depot', address: 'Hafenstraße 5, 28217 Bremen' },
        { ref: 'kie', kind: 'location', name: 'Kiel depot', address: 'Kaistraße 2, 24114 Kiel' },
      ],
      groups: [{ ref: 'depots', name: 'Depots', memberRefs: ['brm', 'kie'] }],
      items: [
        { offeringCode: 'SDWAN_SITE', appliesTo: { member: 'ham' }, discountPct: 30 },
        { offeringCode: 'SDWAN_SITE', appliesTo: { member: 'brm' }, discountPct: 30 },
        { offeringCode: 'SDWAN_SITE', appliesTo: { member: 'kie' }, discountPct: 30 },
        { offeringCode: 'MANAGED_FIREWALL', appliesTo: { group: 'depots' }, discountPct: 30 },
        { offeringCode: 'MULTISITE_DEPLOYMENT', discountPct: 30 },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const quoteId: string = created.body.id;
    // SD-WAN 320/650 × 0.7 × 3 sites; firewall 210/400 × 0.7 × 2 depots; deployment 0/12000 × 0.7.
    expect(created.body.versions[0]).toMatchObject({
      recurringTotal: 966,
      oneOffTotal: 10325,
      maxDiscountPct: 30,
    });

    // Stage 3: 30% needs both managers; the sales manager stays silent and is escalated.
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.approval).toMatchObject({
      approvalsRequired: ['salesManager', 'financeManager'],
      awaiting: 'salesManager',
    });
    const approval = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    await eventually(
      async () => ((await approval.query(quoteStatusQuery)).awaiting === 'financeManager' ? true : undefined),
      'the escalation to the finance manager',
      15_000,
    );
    const approved = await h.by('finance-manager-1')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'financeManager',
      comment: 'Frame agreement allows 35%',
    });
    expect(approved.body.state).toBe('approved');
    const accepted = await h.http('POST', `/quotes/${quoteId}/accept`, { signedBy: 'Jens Ohl, CEO' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('accepted');

    // Stage 4: the order.
    const order = await h.http('POST', '/orders', { quoteId });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    const orderId: string = order.body.id;

    // The sales contract, and one service contract per site with its entitlements under the agreement's SLAs.
    const [salesContract] = await db.select().from(salesContracts).where(eq(salesContracts.quoteId, quoteId));
    expect(salesContract).toMatchObject({ accountId, quoteVersion: 1, signedBy: 'Jens Ohl, CEO' });
    const siteContracts = await db
      .select()
      .from(serviceContracts)
      .where(eq(serviceContracts.quoteId, quoteId))
      .orderBy(asc(serviceContracts.memberRef));
    expect(
      siteContracts.map((c) => [
        c.memberRef,
        c.salesContractId,
        c.entitlements.map((e) => e.offeringCode),
        c.slas,
      ]),
    ).toEqual([
      ['brm', salesContract.id, ['SDWAN_SITE', 'MANAGED_FIREWALL'], slas],
      ['ham', salesContract.id, ['SDWAN_SITE'], slas],
      ['kie', salesContract.id, ['SDWAN_SITE', 'MANAGED_FIREWALL'], slas],
    ]);

    // One service account per site, under the business account, each linked to its sub-order and contract.
    const serviceAccounts = await db.select().from(accounts).where(eq(accounts.parentId, accountId));
    expect(serviceAccounts.map((a) => a.name).sort()).toEqual(['Bremen depot', 'Hamburg HQ', 'Kiel depot']);
    expect(serviceAccounts.every((a) => a.kind === 'service')).toBe(true);

    // One primary order, one sub-order per site (by member ref) and one for the account; the group's offer
    // in each depot's.
    const [primary] = await db.select().from(orders).where(eq(orders.quoteId, quoteId));
    expect(primary).toMatchObject({ id: orderId, accountId, quoteVersion: 1 });
    const subs = await db
      .select()
      .from(subOrders)
      .where(eq(subOrders.orderId, orderId))
      .orderBy(asc(subOrders.id));
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
    const accountOf = new Map(serviceAccounts.map((a) => [a.id, a.name]));
    expect(
      subs.map((s) => ({
        memberRef: s.memberRef,
        serviceAccount: accountOf.get(s.serviceAccountId) ?? s.serviceAccountId,
        offerings: items
          .filter((i) => i.subOrderId === s.id)
          .map((i) => i.offeringCode)
          .sort(),
      })),
    ).toEqual([
      { memberRef: 'brm', serviceAccount: 'Bremen depot', offerings: ['MANAGED_FIREWALL', 'SDWAN_SITE'] },
      { memberRef: 'ham', serviceAccount: 'Hamburg HQ', offerings: ['SDWAN_SITE'] },
      { memberRef: 'kie', serviceAccount: 'Kiel depot', offerings: ['MANAGED_FIREWALL', 'SDWAN_SITE'] },
      { memberRef: null, serviceAccount: accountId, offerings: ['MULTISITE_DEPLOYMENT'] },
    ]);
    for (const contract of siteContracts) {
      const sub = subs.find((s) => s.memberRef === contract.memberRef)!;
      expect(contract.serviceAccountId).toBe(sub.serviceAccountId);
    }

    // The audit trail of the quote and of the order's creation, oldest first.
    const trail = async (entityIds: string[]) =>
      (await db.select().from(auditEvents).orderBy(asc(auditEvents.id)))
        .filter((e) => entityIds.includes(e.entityId))
        .map((e) => `${e.entityType} ${e.actor}:${e.toState}`);
    expect(await trail([lead.body.id, quoteId])).toEqual([
      'lead tester:converted',
      'quote tester:inProgress',
      `quote quote-approval:${quoteId}:v1:pending`,
      `quote quote-approval:${quoteId}:v1:pending`,
      'quote finance-manager-1:approved',
      'quote tester:accepted',
    ]);
    expect((await trail([orderId, ...subs.map((s) => s.id)])).slice(0, 5)).toEqual([
      'order tester:acknowledged',
      'subOrder tester:acknowledged',
      'subOrder tester:acknowledged',
      'subOrder tester:acknowledged',
      'subOrder tester:acknowledged',
    ]);
  });
});
