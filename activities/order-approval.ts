import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  accounts,
  auditEvents,
  orderItems,
  orders,
  quoteFeasibility,
  quoteMembers,
  subOrders,
} from '../db/schema';
import type { DownstreamSimulator } from '../downstream/simulator';
import type { ApprovalRefusal } from '../workflows/contracts';
import { inBatches, orderRow } from './order-rows';
import { storeProductInventory } from './plan-store';
import { transition, engineActor } from './transitions';

/** Feasibility calls in flight at once during order approval. */
const FEASIBILITY_BATCH = 25;

/** Order approval (stage 5): credit and feasibility checks, rejection, and product inventory created inactive. */
export function orderApprovalActivities(db: Db, simulator: DownstreamSimulator, feasibilityValidDays = 30) {
  return {
    /**
     * Order approval (stage 5): the financial validation (a credit check of the account's exposure) and
     * the operational one (feasibility of every site), through the downstream systems. Returns every
     * refusal; none means approved. Recorded in the audit trail either way.
     */
    async approveOrder(orderId: string): Promise<ApprovalRefusal[]> {
      const order = await orderRow(db, orderId);
      const account = await db.query.accounts.findFirst({ where: eq(accounts.id, order.accountId) });
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const exposure =
        items.reduce((sum, i) => sum + i.oneOffNet, 0) +
        3 * items.reduce((sum, i) => sum + i.recurringNet, 0);
      const profile = (account?.billingProfile ?? {}) as { creditLimit?: number };
      const refusals: ApprovalRefusal[] = [];
      const credit = await simulator.creditCheck(
        { accountId: order.accountId, exposure, creditLimit: profile.creditLimit ?? null },
        `order:${orderId}:credit-check`,
      );
      if (credit.refused)
        refusals.push({ check: 'credit', subject: order.accountId, reason: credit.refused });

      const members = await db
        .select()
        .from(quoteMembers)
        .where(and(eq(quoteMembers.quoteId, order.quoteId), eq(quoteMembers.version, order.quoteVersion)));
      const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
      // A site found feasible at quote time, recently enough and for every offer it now orders, is not
      // asked again (`FEASIBILITY_VALID_DAYS`); the rest are, 25 calls at a time, heartbeating between
      // batches (issue 13).
      const since = new Date(Date.now() - feasibilityValidDays * 86_400_000).toISOString();
      const checkedAtQuote = await db
        .select()
        .from(quoteFeasibility)
        .where(
          and(eq(quoteFeasibility.quoteId, order.quoteId), eq(quoteFeasibility.version, order.quoteVersion)),
        );
      let feasibilityReused = 0;
      const sites = subs.flatMap((sub) => {
        const member = members.find((m) => m.ref === sub.memberRef);
        if (member?.kind !== 'location') return [];
        const offerings = items.filter((i) => i.subOrderId === sub.id).map((i) => i.offeringCode);
        const earlier = checkedAtQuote.find((c) => c.memberRef === member.ref);
        if (
          feasibilityValidDays > 0 &&
          earlier?.feasible &&
          earlier.checkedAt >= since &&
          offerings.every((o) => earlier.offerings.includes(o))
        ) {
          feasibilityReused += 1;
          return [];
        }
        return [{ sub, member, offerings }];
      });
      const answers = await inBatches(sites, FEASIBILITY_BATCH, async ({ sub, member, offerings }) => ({
        sub,
        answer: await simulator.feasibility(
          { accountId: order.accountId, siteName: member.name, address: member.address, offerings },
          `order:${orderId}:feasibility:${sub.id}`,
        ),
      }));
      for (const { sub, answer } of answers)
        if (answer.refused) refusals.push({ check: 'feasibility', subject: sub.id, reason: answer.refused });
      await db
        .insert(auditEvents)
        .values({
          eventKey: `order:${orderId}:approval`,
          orderId,
          entityType: 'orderApproval',
          entityId: orderId,
          toState: refusals.length === 0 ? 'approved' : 'refused',
          actor: engineActor(),
          details: {
            exposure,
            creditLimit: profile.creditLimit ?? null,
            sites: subs.length,
            feasibilityReused,
            refusals,
          },
        })
        .onConflictDoNothing();
      return refusals;
    },

    /** A refused order ends `rejected`, its sub-orders with it, every reason kept on the order. */
    async rejectOrder(orderId: string, refusals: ApprovalRefusal[]): Promise<void> {
      await db.transaction(async (tx) => {
        const moved = await transition(tx, {
          entity: 'order',
          id: orderId,
          to: 'rejected',
          eventKey: `order:${orderId}:rejected`,
          actor: engineActor(),
          details: { refusals },
        });
        if (!moved) return;
        await tx.update(orders).set({ stateReasons: refusals }).where(eq(orders.id, orderId));
        const subs = await tx
          .select({ id: subOrders.id })
          .from(subOrders)
          .where(eq(subOrders.orderId, orderId));
        for (const { id } of subs) {
          await transition(tx, {
            entity: 'subOrder',
            id,
            to: 'rejected',
            eventKey: `subOrder:${id}:rejected`,
            actor: engineActor(),
          });
        }
      });
    },

    /** Creates one product inventory record per order item, in state `created` (inactive). */
    async createProductInventory(orderId: string): Promise<number> {
      const order = await orderRow(db, orderId);
      const items = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      const subs = await db.select().from(subOrders).where(eq(subOrders.orderId, orderId));
      const serviceAccountOf = new Map(subs.map((s) => [s.id, s.serviceAccountId]));
      await db.transaction((tx) =>
        storeProductInventory(tx, order, items, (item) => serviceAccountOf.get(item.subOrderId)!),
      );
      return items.length;
    },
  };
}
