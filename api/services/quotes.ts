import { and, asc, eq } from 'drizzle-orm';
import type { Catalog } from '../../catalog/schema';
import type { Db, Tx } from '../../db/client';
import {
  auditEvents,
  quoteGroups,
  quoteItems,
  quoteMembers,
  opportunities,
  quotes,
  quoteVersions,
  salesAgreements,
  salesContracts,
  serviceContracts,
} from '../../db/schema';
import { priceLine, totalsOf } from '../../domain/pricing';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { businessAccount } from './accounts';
import { newId } from '../ids';
import type { CreateQuoteBody, PatchQuoteBody } from '../schemas';
import type { Actor } from '../../domain/roles';

/** Business checks of a quote body, every problem listed (API.md: 422 lists every rule broken). */
export function quoteProblems(body: CreateQuoteBody, catalog: Catalog): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const members = new Map<string, CreateQuoteBody['members'][number]>();
  body.members.forEach((m, i) => {
    if (members.has(m.ref))
      problems.push({
        field: `members.${i}.ref`,
        rule: 'unique',
        message: `member ref "${m.ref}" is used twice`,
      });
    members.set(m.ref, m);
  });
  const groups = new Map<string, CreateQuoteBody['groups'][number]>();
  body.groups.forEach((g, i) => {
    if (groups.has(g.ref) || members.has(g.ref))
      problems.push({
        field: `groups.${i}.ref`,
        rule: 'unique',
        message: `group ref "${g.ref}" is already used`,
      });
    groups.set(g.ref, g);
    if (g.memberRefs.length === 0)
      problems.push({
        field: `groups.${i}.memberRefs`,
        rule: 'not_empty',
        message: `group "${g.ref}" has no members`,
      });
    g.memberRefs.forEach((r, j) => {
      if (!members.has(r))
        problems.push({
          field: `groups.${i}.memberRefs.${j}`,
          rule: 'exists',
          message: `member "${r}" is not a member of the quote`,
        });
    });
  });
  const offerings = new Map(catalog.offerings.map((o) => [o.code, o]));
  body.items.forEach((item, i) => {
    const offering = offerings.get(item.offeringCode);
    if (!offering) {
      problems.push({
        field: `items.${i}.offeringCode`,
        rule: 'in_catalog',
        message: `offering "${item.offeringCode}" is not in catalog ${catalog.version}`,
      });
    }
    const target = item.appliesTo;
    let kinds: string[] = ['account'];
    if (target && 'member' in target) {
      const member = members.get(target.member);
      if (!member)
        problems.push({
          field: `items.${i}.appliesTo.member`,
          rule: 'exists',
          message: `member "${target.member}" is not a member of the quote`,
        });
      kinds = member ? [member.kind] : [];
    } else if (target && 'group' in target) {
      const group = groups.get(target.group);
      if (!group)
        problems.push({
          field: `items.${i}.appliesTo.group`,
          rule: 'exists',
          message: `group "${target.group}" is not a group of the quote`,
        });
      kinds = [
        ...new Set((group?.memberRefs ?? []).map((r) => members.get(r)?.kind).filter((k) => k !== undefined)),
      ];
    }
    const wrongKind = kinds.find((k) => offering && !offering.memberKinds.includes(k as 'location'));
    if (offering && wrongKind) {
      problems.push({
        field: `items.${i}.appliesTo`,
        rule: 'member_kind',
        message: `offering "${offering.code}" applies to ${offering.memberKinds.join(' or ')}, not to ${wrongKind === 'account' ? 'the account' : `a ${wrongKind}`}`,
      });
    }
  });
  return problems;
}

type QuoteContent = Pick<CreateQuoteBody, 'members' | 'groups' | 'items'>;
interface QuoteTerms {
  accountId: string;
  opportunityId: string | null;
  agreementId: string | null;
}
type Agreement = typeof salesAgreements.$inferSelect;

/** The account, opportunity and agreement a quote names, each checked, every problem listed. */
async function termsProblems(db: Db, terms: QuoteTerms) {
  const problems: ErrorDetail[] = [];
  const { problem } = await businessAccount(db, terms.accountId);
  if (problem) problems.push(problem);
  if (terms.opportunityId) {
    const opportunity = await db.query.opportunities.findFirst({
      where: eq(opportunities.id, terms.opportunityId),
    });
    if (!opportunity || opportunity.accountId !== terms.accountId)
      problems.push({
        field: 'opportunityId',
        rule: 'exists',
        message: `opportunity ${terms.opportunityId} is not an opportunity of account ${terms.accountId}`,
      });
  }
  let agreement: Agreement | undefined;
  if (terms.agreementId) {
    agreement = await db.query.salesAgreements.findFirst({
      where: eq(salesAgreements.id, terms.agreementId),
    });
    if (!agreement || agreement.accountId !== terms.accountId) {
      agreement = undefined;
      problems.push({
        field: 'agreementId',
        rule: 'exists',
        message: `sales agreement ${terms.agreementId} is not an agreement of account ${terms.accountId}`,
      });
    }
  }
  return { problems, agreement };
}

/** Prices a version from the catalog and writes it with its members, groups and items. */
async function writeVersion(
  tx: Tx,
  catalog: Catalog,
  quoteId: string,
  version: number,
  content: QuoteContent,
  agreement: Agreement | undefined,
  author: Actor,
) {
  const groupSize = (ref: string) => content.groups.find((g) => g.ref === ref)?.memberRefs.length ?? 1;
  // An offer on a group is bought once per member of the group.
  const lines = content.items.map((item) => {
    const price = priceLine(catalog, { ...item, priceOverride: item.priceOverride ?? null });
    const times = item.appliesTo && 'group' in item.appliesTo ? groupSize(item.appliesTo.group) : 1;
    return {
      item,
      price: { ...price, recurringNet: price.recurringNet * times, oneOffNet: price.oneOffNet * times },
    };
  });
  await tx.insert(quoteVersions).values({
    quoteId,
    version,
    state: 'inProgress',
    currency: catalog.currency,
    catalogVersion: catalog.version,
    agreementMaxDiscountPct: agreement?.maxDiscountPct ?? null,
    slas: agreement?.slas ?? catalog.standardSlas,
    createdBy: author.subject,
    ...totalsOf(lines.map((l) => l.price)),
  });
  if (content.members.length > 0) {
    await tx.insert(quoteMembers).values(
      content.members.map((m) => ({
        quoteId,
        version,
        ref: m.ref,
        kind: m.kind,
        name: m.name,
        address: m.address ?? null,
      })),
    );
  }
  if (content.groups.length > 0) {
    await tx
      .insert(quoteGroups)
      .values(
        content.groups.map((g) => ({ quoteId, version, ref: g.ref, name: g.name, memberRefs: g.memberRefs })),
      );
  }
  await tx.insert(quoteItems).values(
    lines.map(({ item, price }, i) => ({
      quoteId,
      version,
      lineNo: i + 1,
      offeringCode: item.offeringCode,
      quantity: item.quantity,
      discountPct: item.discountPct,
      priceOverride: item.priceOverride ?? null,
      appliesToKind: !item.appliesTo
        ? ('account' as const)
        : 'member' in item.appliesTo
          ? ('member' as const)
          : ('group' as const),
      appliesToRef: !item.appliesTo
        ? null
        : 'member' in item.appliesTo
          ? item.appliesTo.member
          : item.appliesTo.group,
      recurringListPrice: price.recurringListPrice,
      oneOffListPrice: price.oneOffListPrice,
      recurringNet: price.recurringNet,
      oneOffNet: price.oneOffNet,
    })),
  );
}

/** Creates a quote, version 1, priced from the current catalog. */
export async function createQuote(
  db: Db,
  catalog: Catalog,
  body: CreateQuoteBody,
  who: Actor,
  validitySeconds = 30 * 86_400,
): Promise<string> {
  const terms = {
    accountId: body.accountId,
    opportunityId: body.opportunityId ?? null,
    agreementId: body.agreementId ?? null,
  };
  const { problems, agreement } = await termsProblems(db, terms);
  problems.push(...quoteProblems(body, catalog));
  if (problems.length > 0) throw unprocessable('The quote breaks business rules', problems);

  const quoteId = newId('Q');
  const validUntil = new Date(Date.now() + validitySeconds * 1000).toISOString();
  await db.transaction(async (tx) => {
    await tx
      .insert(quotes)
      .values({ id: quoteId, ...terms, state: 'inProgress', currentVersion: 1, validUntil });
    await writeVersion(tx, catalog, quoteId, 1, body, agreement, who);
    await tx.insert(auditEvents).values({
      eventKey: `quote:${quoteId}:created`,
      entityType: 'quote',
      entityId: quoteId,
      toState: 'inProgress',
      actor: who.subject,
      actorRole: who.role,
      details: { version: 1 },
    });
  });
  return quoteId;
}

/** Quote states in which the quote may still change; a change always makes the next version. */
const revisable = ['inProgress', 'pending', 'approved'];

/**
 * A change to a quote: the next version, priced anew, with what the change names replaced and the rest
 * carried over. The previous version stays readable and is marked `superseded` (a rejected one stays
 * `rejected`); the quote goes back to negotiation. Returns the version superseded and its state, so the
 * caller can stop its running approval.
 */
export async function reviseQuote(
  db: Db,
  catalog: Catalog,
  quoteId: string,
  patch: PatchQuoteBody,
  who: Actor,
) {
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  if (!revisable.includes(quote.state)) {
    throw invalidState(`Quote ${quoteId} is ${quote.state}; only a quote not yet accepted can change`);
  }
  const current = (await getQuote(db, quoteId)).versions.find((v) => v.version === quote.currentVersion)!;
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
  const { problems, agreement } = await termsProblems(db, terms);
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
  return { version, previous };
}

/** The quote with every version, its members, items, prices and contract. */
export async function getQuote(db: Db, quoteId: string) {
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
  const contract = await db.query.salesContracts.findFirst({ where: eq(salesContracts.quoteId, quoteId) });
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
    })),
    salesContract: contract ?? null,
    serviceContracts: siteContracts,
  };
}

export async function currentVersionOf(db: Db, quoteId: string) {
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  const version = await db.query.quoteVersions.findFirst({
    where: and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, quote.currentVersion)),
  });
  return { quote, version: version! };
}
