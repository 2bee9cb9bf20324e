import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, quoteFeasibility, quotes, simulatorCalls, subOrders } from '../../db/schema';
import { eventually, startHarness, type Harness } from '../harness';
import { createAccount, orderFor, site } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** The order approval's audit event, once the workflow has recorded it. */
const orderApproval = (orderId: string) =>
  eventually(async () => {
    const [event] = await h.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.eventKey, `order:${orderId}:approval`));
    return event;
  }, 'the order approval');

/** The feasibility calls order approval made to the simulator. */
const feasibilityCalls = (orderId: string) =>
  h.database.db
    .select()
    .from(simulatorCalls)
    .where(like(simulatorCalls.idempotencyKey, `order:${orderId}:feasibility:%`));

describe('feasibility at quote time', () => {
  it('checks every site of a submitted version, refuses a site that cannot be served, and lets the next version without its offer through', async () => {
    const accountId = await createAccount(h, 'Feasibility Foods KG');
    const created = await h.http('POST', '/quotes', {
      accountId,
      members: [
        { ref: 'hq', kind: 'location', name: 'Munich HQ', address: 'Marienplatz 1' },
        { ref: 'depot', kind: 'location', name: 'Unknown depot' },
        { ref: 'anna', kind: 'subscriber', name: 'Anna' },
      ],
      groups: [{ ref: 'sites', name: 'Every site', memberRefs: ['hq', 'depot'] }],
      items: [
        { offeringCode: 'DIA_1G', appliesTo: { member: 'hq' } },
        { offeringCode: 'MANAGED_ROUTER', appliesTo: { group: 'sites' } },
        { offeringCode: 'MOBILE_LINE', appliesTo: { member: 'anna' } },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const quoteId = created.body.id;

    const refused = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([
      {
        field: 'members.depot',
        rule: 'feasible',
        message:
          'site "Unknown depot" (depot) cannot be served with MANAGED_ROUTER: site "Unknown depot" has no address to survey',
      },
    ]);
    const quote = await h.http('GET', `/quotes/${quoteId}`);
    expect(quote.body.state).toBe('inProgress');
    expect(quote.body.versions[0].feasibility).toMatchObject([
      { memberRef: 'depot', offerings: ['MANAGED_ROUTER'], feasible: false },
      { memberRef: 'hq', offerings: ['DIA_1G', 'MANAGED_ROUTER'], feasible: true, reason: null },
    ]);
    expect(Date.parse(quote.body.versions[0].feasibility[0].checkedAt)).toBeGreaterThan(Date.now() - 60_000);

    // The router moves from the group to the HQ alone: the depot buys nothing that needs a survey.
    const revised = await h.http('PATCH', `/quotes/${quoteId}`, {
      items: [
        { offeringCode: 'DIA_1G', appliesTo: { member: 'hq' } },
        { offeringCode: 'MANAGED_ROUTER', appliesTo: { member: 'hq' } },
        { offeringCode: 'MOBILE_LINE', appliesTo: { member: 'anna' } },
      ],
    });
    expect(revised.status).toBe(200);
    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    expect(submitted.body.state).toBe('approved');
    expect(submitted.body.versions[1].feasibility).toMatchObject([{ memberRef: 'hq', feasible: true }]);
  });

  it("refuses the submission when the feasibility system says no, with the system's reason", async () => {
    const accountId = await createAccount(h, 'Refused Site AG');
    const created = await h.http('POST', '/quotes', {
      accountId,
      members: [{ ref: 'hq', kind: 'location', name: 'Kiel HQ', address: 'Kai 1' }],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
    });
    const fault = await h.http('POST', '/simulator/faults', {
      taskCode: 'FEASIBILITY_CHECK',
      count: 1,
      mode: 'refuse',
      accountId,
    });
    expect(fault.status).toBeLessThan(300);
    const refused = await h.http('POST', `/quotes/${created.body.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0].message).toMatch(/Kiel HQ.*BUSINESS_BROADBAND.*injected refusal/);
  });

  it('spares order approval a second check of a site found feasible at quote time', async () => {
    const { orderId } = await orderFor(h, {
      members: [site('hq', 'Rostock HQ')],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
    });
    expect(await orderApproval(orderId)).toMatchObject({
      toState: 'approved',
      details: { feasibilityReused: 1, refusals: [] },
    });
    expect(await feasibilityCalls(orderId)).toEqual([]);
  });

  it('asks again, at order approval, only for the site whose quote-time result has grown too old', async () => {
    const { db } = h.database;
    const { orderId } = await orderFor(
      h,
      {
        members: [site('fresh', 'Lübeck office'), site('stale', 'Wismar depot')],
        items: [
          { offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'fresh' } },
          { offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'stale' } },
        ],
      },
      {
        // Signed long after the depot was checked: its result is older than FEASIBILITY_VALID_DAYS.
        beforeOrder: async (accountId) => {
          const [quote] = await db.select().from(quotes).where(eq(quotes.accountId, accountId));
          const aged = await db
            .update(quoteFeasibility)
            .set({ checkedAt: new Date(Date.now() - 400 * 86_400_000).toISOString() })
            .where(and(eq(quoteFeasibility.quoteId, quote.id), eq(quoteFeasibility.memberRef, 'stale')))
            .returning();
          expect(aged).toHaveLength(1);
        },
      },
    );
    expect(await orderApproval(orderId)).toMatchObject({
      toState: 'approved',
      details: { feasibilityReused: 1, refusals: [] },
    });
    const asked = await feasibilityCalls(orderId);
    const [depot] = await db
      .select()
      .from(subOrders)
      .where(and(eq(subOrders.orderId, orderId), eq(subOrders.memberRef, 'stale')));
    expect(asked.map((c) => c.idempotencyKey)).toEqual([`order:${orderId}:feasibility:${depot.id}`]);
  });
});
