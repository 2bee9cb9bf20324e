// Over 250 lines on purpose: every quote-approval activity moves the quote through the one row-locked
// moveQuoteIn and keeps the approval record beside it; split, the lock would have to leave the file.
import { and, eq, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../db/client';
import {
  quoteApprovals,
  quoteGroups,
  quoteItems,
  quoteMembers,
  quotes,
  orders,
  quoteVersions,
  salesContractChanges,
  salesContracts,
  serviceContracts,
} from '../db/schema';
import { explainApprovals, type ApprovalRole } from '../domain/approval-policy';
import type { ApprovalWait, RecordedDecision } from '../workflows/contracts';
import { engineActor, transition } from './transitions';
import { batches } from '../db/batches';

export function quoteActivities(db: Db) {
  /**
   * Moves the quote and its version; a rejected version sends the quote back to negotiation (`inProgress`).
   * A version that a newer one superseded moves nothing: its late outcome is no longer the quote's.
   */
  async function moveQuoteIn(
    tx: Tx,
    quoteId: string,
    version: number,
    to: string,
    eventKey: string,
    actor: string | { subject: string; role: string },
    details?: Record<string, unknown>,
    versionState = to,
    /** Written with the move, once: not again when a retry finds the event recorded. */
    alsoOnce?: (tx: Tx) => Promise<unknown>,
  ): Promise<boolean> {
    const [quote] = await tx.select().from(quotes).where(eq(quotes.id, quoteId)).for('update');
    if (quote.currentVersion !== version) return false;
    const moved = await transition(tx, {
      entity: 'quote',
      id: quoteId,
      to,
      eventKey,
      ...(typeof actor === 'string' ? { actor } : { actor: actor.subject, actorRole: actor.role }),
      details: { version, ...details },
    });
    if (moved) {
      await tx
        .update(quoteVersions)
        .set({ state: versionState })
        .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, version)));
      await alsoOnce?.(tx);
    }
    return true;
  }
  const moveQuote = (...args: Parameters<typeof moveQuoteIn> extends [Tx, ...infer R] ? R : never) =>
    db.transaction((tx) => moveQuoteIn(tx, ...args));

  /** The approval row's wait: the level awaited, since when, until when. */
  const waitOf = (next: ApprovalWait | undefined, at: string) => ({
    awaitingRole: next?.awaiting ?? null,
    awaitingSince: next?.awaiting ? at : null,
    decisionDue: next?.awaiting ? (next.decisionDue ?? null) : null,
  });
  const ofApproval = (quoteId: string, version: number) =>
    and(eq(quoteApprovals.quoteId, quoteId), eq(quoteApprovals.version, version));

  return {
    /**
     * Records the outcome of the pricing policy: `pending` on the approvals it needs, or `approved`; and the
     * approval itself, with the rule that set its levels and the first level's wait (`next`, absent in
     * histories from before approvals were kept).
     */
    async recordQuoteSubmitted(
      quoteId: string,
      version: number,
      approvalsRequired: ApprovalRole[],
      next?: ApprovalWait,
    ): Promise<void> {
      const to = approvalsRequired.length > 0 ? 'pending' : 'approved';
      const [row] = await db
        .select({ max: quoteVersions.maxDiscountPct, cap: quoteVersions.agreementMaxDiscountPct })
        .from(quoteVersions)
        .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, version)));
      const why = explainApprovals(row.max, row.cap ?? undefined);
      const now = new Date().toISOString();
      await moveQuote(
        quoteId,
        version,
        to,
        `quote:${quoteId}:v${version}:submitted`,
        engineActor(),
        { approvalsRequired, rule: why.rule },
        to,
        (tx) =>
          tx
            .insert(quoteApprovals)
            .values({
              quoteId,
              version,
              // The workflow's levels are the ones that count; the rule explains them.
              levelsRequired: approvalsRequired,
              rule: why.rule,
              reason: why.reason,
              maxDiscountPct: row.max,
              agreementMaxDiscountPct: row.cap,
              ...waitOf(next ?? { awaiting: approvalsRequired[0] }, now),
              submittedAt: now,
            })
            .onConflictDoNothing(),
      );
    },

    async recordQuoteDecision(
      quoteId: string,
      version: number,
      decision: RecordedDecision,
      outcome: 'pending' | 'approved' | 'inProgress',
      next?: ApprovalWait,
    ): Promise<void> {
      const at = new Date().toISOString();
      const made = {
        role: decision.role,
        decision: decision.decision,
        ...(decision.approver ? { approver: decision.approver } : {}),
        ...(decision.comment ? { comment: decision.comment } : {}),
        at,
      };
      await moveQuote(
        quoteId,
        version,
        outcome,
        `quote:${quoteId}:v${version}:decision:${decision.role}`,
        // A decision recorded before approvers were authenticated carries no subject: its role stands in.
        { subject: decision.approver ?? decision.role, role: decision.role },
        {
          decision: decision.decision,
          comment: decision.comment,
        },
        decision.decision === 'reject' ? 'rejected' : outcome,
        (tx) =>
          tx
            .update(quoteApprovals)
            .set({
              decisions: sql`${quoteApprovals.decisions} || ${JSON.stringify([made])}::jsonb`,
              ...waitOf(outcome === 'pending' ? next : undefined, at),
            })
            .where(ofApproval(quoteId, version)),
      );
    },

    /** An approver let the deadline pass: the decision moves to the delegated manager above. */
    async recordQuoteEscalated(
      quoteId: string,
      version: number,
      from: ApprovalRole,
      to: ApprovalRole,
      next?: ApprovalWait,
    ): Promise<void> {
      const at = new Date().toISOString();
      await moveQuote(
        quoteId,
        version,
        'pending',
        `quote:${quoteId}:v${version}:escalated:${from}`,
        engineActor(),
        {
          escalatedFrom: from,
          escalatedTo: to,
        },
        'pending',
        (tx) =>
          tx
            .update(quoteApprovals)
            .set({
              escalations: sql`${quoteApprovals.escalations} || ${JSON.stringify([{ from, to, at }])}::jsonb`,
              ...waitOf(next ?? { awaiting: to }, at),
            })
            .where(ofApproval(quoteId, version)),
      );
    },

    /**
     * The customer's signature: the sales contract, and one service contract per site whose entitlements
     * are the offerings bought for it (on the site itself or on a group it belongs to), under the SLAs the
     * version carries. All of it once, in one transaction, and the quote `accepted`. Null when a newer
     * version superseded this one first: nothing is signed. A change quote's signature is a change of its
     * order's sales contract instead, with a service contract for each site it adds.
     */
    async acceptQuote(
      quoteId: string,
      version: number,
      accountId: string,
      signedBy: string,
      recordedBy?: { subject: string; role: string },
      /** The SHA-256 of the proposal PDF signed (absent in histories from before proposals). */
      documentSha256?: string,
    ): Promise<{ salesContractId: string; serviceContractIds: string[] } | null> {
      // A change quote changes the sales contract of its order's quote; an ordinary quote makes its own.
      const [quote] = await db.select().from(quotes).where(eq(quotes.id, quoteId));
      const [changed] = quote.changeOfOrderId
        ? await db.select().from(orders).where(eq(orders.id, quote.changeOfOrderId))
        : [];
      const salesContractId = changed ? `SC-${changed.quoteId}` : `SC-${quoteId}`;
      const siteContractPrefix = changed ? `${salesContractId}-${quoteId}` : salesContractId;
      const ofVersion = (t: { quoteId: AnyPgColumn; version: AnyPgColumn }) =>
        and(eq(t.quoteId, quoteId), eq(t.version, version));
      const [quoteVersion] = await db.select().from(quoteVersions).where(ofVersion(quoteVersions));
      const members = await db.select().from(quoteMembers).where(ofVersion(quoteMembers));
      const groups = await db.select().from(quoteGroups).where(ofVersion(quoteGroups));
      const items = await db.select().from(quoteItems).where(ofVersion(quoteItems));
      const sites = members
        .filter((m) => m.kind === 'location')
        .sort((a, b) => a.ref.localeCompare(b.ref))
        .map((site, i) => {
          const groupRefs = groups.filter((g) => g.memberRefs.includes(site.ref)).map((g) => g.ref);
          const entitlements = items
            .filter(
              (item) =>
                (item.appliesToKind === 'member' && item.appliesToRef === site.ref) ||
                (item.appliesToKind === 'group' && groupRefs.includes(item.appliesToRef!)),
            )
            .map((item) => ({ offeringCode: item.offeringCode, quantity: item.quantity }));
          return { site, entitlements, id: `${siteContractPrefix}-S${String(i + 1).padStart(3, '0')}` };
        });

      const accepted = await db.transaction(async (tx) => {
        const current = await moveQuoteIn(
          tx,
          quoteId,
          version,
          'accepted',
          `quote:${quoteId}:v${version}:accepted`,
          // The customer signs; the audit names who recorded the signature (histories before identity: the signer).
          recordedBy ?? signedBy,
          {
            salesContractId,
            serviceContracts: sites.length,
            signedBy,
            documentSha256,
            ...(quoteVersion.change ? { changeOf: quoteVersion.change.orderId } : {}),
          },
        );
        if (!current) return false;
        const signedAt = new Date().toISOString();
        if (quoteVersion.change) {
          const { change } = quoteVersion;
          await tx
            .insert(salesContractChanges)
            .values({
              id: `${salesContractId}-${quoteId}`,
              salesContractId,
              changeQuoteId: quoteId,
              quoteVersion: version,
              orderId: change.orderId,
              amendmentId: change.amendmentId,
              signedBy,
              signedAt,
              documentSha256: documentSha256 ?? null,
              recurringDifference: change.difference.recurring,
              oneOffDifference: change.difference.oneOff,
            })
            .onConflictDoNothing();
        } else
          await tx
            .insert(salesContracts)
            .values({
              id: salesContractId,
              quoteId,
              quoteVersion: version,
              accountId,
              signedBy,
              signedAt,
              documentSha256: documentSha256 ?? null,
            })
            .onConflictDoNothing();
        for (const batch of batches(sites)) {
          await tx
            .insert(serviceContracts)
            .values(
              batch.map(({ site, entitlements, id }) => ({
                id,
                salesContractId,
                quoteId,
                accountId,
                memberRef: site.ref,
                siteName: site.name,
                entitlements,
                slas: quoteVersion.slas,
              })),
            )
            .onConflictDoNothing();
        }
        return true;
      });
      return accepted ? { salesContractId, serviceContractIds: sites.map((s) => s.id) } : null;
    },

    async expireQuote(quoteId: string, version: number): Promise<void> {
      await moveQuote(quoteId, version, 'expired', `quote:${quoteId}:v${version}:expired`, engineActor());
    },
  };
}
