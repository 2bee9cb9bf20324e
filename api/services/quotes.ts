/** Stage 2, negotiation: quotes and their versions, each priced from the catalog. */
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import {
  auditEvents,
  orderAmendments,
  quoteApprovals,
  quoteFeasibility,
  quoteGroups,
  quoteItems,
  quoteMembers,
  quotes,
  quoteVersions,
  salesContractChanges,
  salesContracts,
  serviceContracts,
} from '../../db/schema';
import { supersedeSignal, workflowId } from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import type { CreateQuoteBody, PatchQuoteBody } from '../schemas/quotes';
import { quoteProblems, termsProblems, type QuoteTerms } from './quote-rules';
import { recordQuoteCreated, writeVersion, type QuoteContent } from './quote-versions';
import type { Actor } from '../../domain/roles';

/** Creates a quote, version 1, priced from the current catalog. */
export async function createQuote(deps: AppDeps, body: CreateQuoteBody, who: Actor) {
  const { db } = deps.database;
  const catalog = deps.catalogs.current;
  const validitySeconds = deps.quoteValiditySeconds ?? 30 * 86_400;
  const terms = {
    accountId: body.accountId,
    opportunityId: body.opportunityId ?? null,
    agreementId: body.agreementId ?? null,
  };
  const { problems, agreement } = await termsProblems(deps, terms);
  problems.push(...quoteProblems(body, catalog));
  if (problems.length > 0) throw unprocessable('The quote breaks business rules', problems);

  const quoteId = newId('Q');
  const validUntil = new Date(Date.now() + validitySeconds * 1000).toISOString();
  await db.transaction(async (tx) => {
    await tx
      .insert(quotes)
      .values({ id: quoteId, ...terms, state: 'inProgress', currentVersion: 1, validUntil });
    await writeVersion(tx, catalog, quoteId, 1, body, agreement, who);
    await recordQuoteCreated(tx, quoteId, who, {});
  });
  return getQuote(deps, quoteId);
}

/** Quote states in which the quote may still change; a change always makes the next version. */
const revisable = ['inProgress', 'pending', 'approved'];

/**
 * A change to a quote: the next version, priced anew, with what the change names replaced and the rest
 * carried over. The previous version stays readable and is marked `superseded` (a rejected one stays
 * `rejected`); the quote goes back to negotiation. A running approval of the version superseded stops:
 * its decisions are refused from then on.
 */
export async function reviseQuote(
  deps: AppDeps,
  quoteId: string,
  patch: PatchQuoteBody,
  who: Actor,
  log: FastifyBaseLogger,
) {
  const { db } = deps.database;
  const catalog = deps.catalogs.current;
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  if (quote.changeOfOrderId)
    throw invalidState(
      `Quote ${quoteId} is the change quote of order ${quote.changeOfOrderId}; it changes with a new amendment of the order, not by itself`,
    );
  if (!revisable.includes(quote.state)) {
    throw invalidState(`Quote ${quoteId} is ${quote.state}; only a quote not yet accepted can change`);
  }
  const current = (await getQuote(deps, quoteId)).versions.find((v) => v.version === quote.currentVersion)!;
  const content: QuoteContent = {
    members: patch.members ?? current.members.map((m) => ({ ...m, address: m.address ?? undefined })),
    groups: patch.groups ?? current.groups.map((g) => ({ ...g })),
    items:
      patch.items ??
      current.items.map((i) => ({
        offeringCode: i.offeringCode,
        quantity: i.quantity,
        discountPct: i.discountPct,
        priceOverride: i.priceOverride ?? undefined,
        appliesTo:
          i.appliesToKind === 'member'
            ? { member: i.appliesToRef! }
            : i.appliesToKind === 'group'
              ? { group: i.appliesToRef! }
              : undefined,
      })),
  };
  const terms: QuoteTerms = {
    accountId: quote.accountId,
    opportunityId: patch.opportunityId === undefined ? quote.opportunityId : patch.opportunityId,
    agreementId: patch.agreementId === undefined ? quote.agreementId : patch.agreementId,
  };
  const { problems, agreement } = await termsProblems(deps, terms);
  if (patch.accountId !== undefined && patch.accountId !== quote.accountId) {
    problems.unshift({
      field: 'accountId',
      rule: 'immutable',
      message: `quote ${quoteId} belongs to account ${quote.accountId}; a quote cannot change account`,
    });
  }
  problems.push(...quoteProblems({ ...terms, ...content } as CreateQuoteBody, catalog));
  if (problems.length > 0) throw unprocessable('The quote breaks business rules', problems);

  const previous = { version: quote.currentVersion, state: current.state };
  const version = quote.currentVersion + 1;
  await db.transaction(async (tx) => {
    // Two changes at once: the second finds the version moved and is refused.
    const [locked] = await tx.select().from(quotes).where(eq(quotes.id, quoteId)).for('update');
    if (locked.currentVersion !== previous.version || !revisable.includes(locked.state)) {
      throw invalidState(
        `Quote ${quoteId} changed meanwhile (now v${locked.currentVersion}, ${locked.state})`,
      );
    }
    await writeVersion(tx, catalog, quoteId, version, content, agreement, who);
    if (previous.state !== 'rejected') {
      await tx
        .update(quoteVersions)
        .set({ state: 'superseded' })
        .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, previous.version)));
    }
    await tx
      .update(quotes)
      .set({ ...terms, currentVersion: version, state: 'inProgress', updatedAt: new Date().toISOString() })
      .where(eq(quotes.id, quoteId));
    await tx.insert(auditEvents).values({
      eventKey: `quote:${quoteId}:v${version}:revised`,
      entityType: 'quote',
      entityId: quoteId,
      fromState: locked.state,
      toState: 'inProgress',
      actor: who.subject,
      actorRole: who.role,
      details: { version, supersedes: previous.version },
    });
  });
  if (previous.state === 'pending' || previous.state === 'approved') {
    // The previous version's approval ends as superseded; its decisions are refused from now on.
    await deps.temporal.workflow
      .getHandle(workflowId.quoteApproval(quoteId, previous.version))
      .signal(supersedeSignal, { byVersion: version })
      .catch((err: unknown) => log.warn({ err }, 'the superseded approval had already ended'));
  }
  return getQuote(deps, quoteId);
}

/** The quote with every version, its members, items, prices and contract. */
export async function getQuote({ database: { db } }: AppDeps, quoteId: string) {
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  const versions = await db
    .select()
    .from(quoteVersions)
    .where(eq(quoteVersions.quoteId, quoteId))
    .orderBy(asc(quoteVersions.version));
  const members = await db.select().from(quoteMembers).where(eq(quoteMembers.quoteId, quoteId));
  const groups = await db.select().from(quoteGroups).where(eq(quoteGroups.quoteId, quoteId));
  const items = await db
    .select()
    .from(quoteItems)
    .where(eq(quoteItems.quoteId, quoteId))
    .orderBy(asc(quoteItems.lineNo));
  const approvals = await db.select().from(quoteApprovals).where(eq(quoteApprovals.quoteId, quoteId));
  const feasibility = await db
    .select()
    .from(quoteFeasibility)
    .where(eq(quoteFeasibility.quoteId, quoteId))
    .orderBy(asc(quoteFeasibility.memberRef));
  const contract = await db.query.salesContracts.findFirst({ where: eq(salesContracts.quoteId, quoteId) });
  const contractChanges = contract
    ? await db
        .select()
        .from(salesContractChanges)
        .where(eq(salesContractChanges.salesContractId, contract.id))
        .orderBy(asc(salesContractChanges.signedAt))
    : [];
  const amendment = quote.changeOfOrderId
    ? await db.query.orderAmendments.findFirst({ where: eq(orderAmendments.changeQuoteId, quoteId) })
    : undefined;
  const siteContracts = await db
    .select()
    .from(serviceContracts)
    .where(eq(serviceContracts.quoteId, quoteId))
    .orderBy(asc(serviceContracts.id));
  return {
    ...quote,
    version: quote.currentVersion,
    versions: versions.map((v) => ({
      ...v,
      members: members.filter((m) => m.version === v.version).map(({ quoteId: _q, version: _v, ...m }) => m),
      groups: groups.filter((g) => g.version === v.version).map(({ quoteId: _q, version: _v, ...g }) => g),
      items: items.filter((i) => i.version === v.version).map(({ quoteId: _q, version: _v, ...i }) => i),
      approval: approvalView(approvals.find((a) => a.version === v.version)),
      feasibility: feasibility
        .filter((f) => f.version === v.version)
        .map(({ quoteId: _q, version: _v, ...f }) => f),
    })),
    /** A change quote's order and amendment, and where the change stands. */
    changeOf: amendment
      ? { orderId: amendment.orderId, amendmentId: amendment.id, amendmentState: amendment.state }
      : null,
    /** The contract, with each signed change (a change quote) after it. */
    salesContract: contract ? { ...contract, changes: contractChanges } : null,
    serviceContracts: siteContracts,
  };
}

/** A version's approval as its workflow recorded it; null before the version is submitted. */
function approvalView(row: typeof quoteApprovals.$inferSelect | undefined) {
  if (!row) return null;
  const { quoteId: _q, version: _v, awaitingRole, ...approval } = row;
  return { ...approval, awaiting: awaitingRole };
}

/** The quote and its current version, or 404. */
export async function currentVersionOf({ database: { db } }: AppDeps, quoteId: string) {
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  const version = await db.query.quoteVersions.findFirst({
    where: and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, quote.currentVersion)),
  });
  return { quote, version: version! };
}
