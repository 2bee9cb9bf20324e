/** The approvers' inbox: quote versions whose approval waits for the caller, read from what the workflow recorded. */
import { and, asc, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { accounts, quoteApprovals, quotes, quoteVersions } from '../../db/schema';
import { approvalRoles } from '../../domain/approval-policy';
import type { Principal } from '../../domain/roles';
import type { AppDeps } from '../deps';
import type { ApprovalsQuery } from '../schemas/approvals';

/**
 * `pending`: the current, pending versions awaiting one of the caller's approval roles, oldest deadline
 * first (the top level, which has none, last), leaving out the versions the caller made (four-eyes: they
 * wait for someone else). `decided`: the versions the caller decided, newest first.
 */
export async function listApprovals({ database: { db } }: AppDeps, query: ApprovalsQuery, who: Principal) {
  const held = approvalRoles.filter((r) => who.roles.includes(r));
  const where =
    query.state === 'pending'
      ? held.length === 0
        ? sql`false`
        : and(
            eq(quoteVersions.state, 'pending'),
            inArray(quoteApprovals.awaitingRole, held),
            or(isNull(quoteVersions.createdBy), ne(quoteVersions.createdBy, who.subject)),
          )
      : sql`${quoteApprovals.decisions} @> ${JSON.stringify([{ approver: who.subject }])}::jsonb`;
  const order =
    query.state === 'pending'
      ? [sql`${quoteApprovals.decisionDue} asc nulls last`, asc(quoteApprovals.awaitingSince)]
      : [desc(quoteApprovals.submittedAt)];
  const rows = await db
    .select({
      approval: quoteApprovals,
      version: quoteVersions,
      accountId: quotes.accountId,
      validUntil: quotes.validUntil,
      customer: accounts.name,
    })
    .from(quoteApprovals)
    .innerJoin(
      quoteVersions,
      and(
        eq(quoteVersions.quoteId, quoteApprovals.quoteId),
        eq(quoteVersions.version, quoteApprovals.version),
      ),
    )
    .innerJoin(quotes, eq(quotes.id, quoteApprovals.quoteId))
    .innerJoin(accounts, eq(accounts.id, quotes.accountId))
    .where(where)
    .orderBy(...order)
    .limit(500);
  return {
    approvals: rows.map(({ approval: a, version: v, accountId, validUntil, customer }) => ({
      quoteId: a.quoteId,
      version: a.version,
      state: v.state,
      accountId,
      customer,
      awaiting: a.awaitingRole,
      awaitingSince: a.awaitingSince,
      decisionDue: a.decisionDue,
      levelsRequired: a.levelsRequired,
      rule: a.rule,
      reason: a.reason,
      currency: v.currency,
      recurringTotal: v.recurringTotal,
      oneOffTotal: v.oneOffTotal,
      maxDiscountPct: v.maxDiscountPct,
      agreementMaxDiscountPct: a.agreementMaxDiscountPct,
      createdBy: v.createdBy,
      decisions: a.decisions,
      escalations: a.escalations,
      validUntil,
    })),
  };
}
