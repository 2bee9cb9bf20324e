import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { quoteVersions, salesContracts } from '../db/schema';
import type { ApprovalRole } from '../domain/approval-policy';
import type { QuoteDecision } from '../workflows/contracts';
import { transition } from './transitions';

export function quoteActivities(db: Db) {
  /** Moves the quote and its version; a rejected version sends the quote back to negotiation (`inProgress`). */
  async function moveQuote(
    quoteId: string,
    version: number,
    to: string,
    eventKey: string,
    actor: string,
    details?: Record<string, unknown>,
    versionState = to,
  ) {
    await db.transaction(async (tx) => {
      const moved = await transition(tx, {
        entity: 'quote',
        id: quoteId,
        to,
        eventKey,
        actor,
        details: { version, ...details },
      });
      if (moved) {
        await tx
          .update(quoteVersions)
          .set({ state: versionState })
          .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, version)));
      }
    });
  }

  return {
    /** Records the outcome of the pricing policy: `pending` on the approvals it needs, or `approved`. */
    async recordQuoteSubmitted(
      quoteId: string,
      version: number,
      approvalsRequired: ApprovalRole[],
    ): Promise<void> {
      const to = approvalsRequired.length > 0 ? 'pending' : 'approved';
      await moveQuote(quoteId, version, to, `quote:${quoteId}:v${version}:submitted`, 'pricing-policy', {
        approvalsRequired,
      });
    },

    async recordQuoteDecision(
      quoteId: string,
      version: number,
      decision: QuoteDecision,
      outcome: 'pending' | 'approved' | 'inProgress',
    ): Promise<void> {
      await moveQuote(
        quoteId,
        version,
        outcome,
        `quote:${quoteId}:v${version}:decision:${decision.role}`,
        decision.role,
        {
          decision: decision.decision,
          comment: decision.comment,
        },
        decision.decision === 'reject' ? 'rejected' : outcome,
      );
    },

    /** An approver let the deadline pass: the decision moves to the delegated manager above. */
    async recordQuoteEscalated(
      quoteId: string,
      version: number,
      from: ApprovalRole,
      to: ApprovalRole,
    ): Promise<void> {
      await moveQuote(
        quoteId,
        version,
        'pending',
        `quote:${quoteId}:v${version}:escalated:${from}`,
        'escalation',
        {
          escalatedFrom: from,
          escalatedTo: to,
        },
      );
    },

    /** The customer's signature: creates the sales contract (once) and marks the quote `accepted`. */
    async acceptQuote(
      quoteId: string,
      version: number,
      accountId: string,
      signedBy: string,
    ): Promise<{ salesContractId: string }> {
      const salesContractId = `SC-${quoteId}`;
      await db
        .insert(salesContracts)
        .values({
          id: salesContractId,
          quoteId,
          quoteVersion: version,
          accountId,
          signedBy,
          signedAt: new Date().toISOString(),
        })
        .onConflictDoNothing();
      await moveQuote(quoteId, version, 'accepted', `quote:${quoteId}:v${version}:accepted`, signedBy, {
        salesContractId,
      });
      return { salesContractId };
    },

    async expireQuote(quoteId: string, version: number): Promise<void> {
      await moveQuote(quoteId, version, 'expired', `quote:${quoteId}:v${version}:expired`, 'quote-approval');
    },
  };
}
