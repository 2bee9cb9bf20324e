import { and, asc, eq } from 'drizzle-orm';
import type { Catalog } from '../../catalog/schema';
import type { Db } from '../../db/client';
import {
  accounts,
  auditEvents,
  quoteGroups,
  quoteItems,
  quoteMembers,
  quotes,
  quoteVersions,
  salesContracts,
} from '../../db/schema';
import { priceLine, totalsOf } from '../../domain/pricing';
import { notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { CreateQuoteBody } from '../schemas';

/** How long a quote may be accepted after it is priced, unless an issue says otherwise. */
const QUOTE_VALIDITY_DAYS = Number(process.env.QUOTE_VALIDITY_DAYS ?? 30);

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

/** Creates a quote, version 1, priced from the current catalog. */
export async function createQuote(db: Db, catalog: Catalog, body: CreateQuoteBody): Promise<string> {
  const problems = quoteProblems(body, catalog);
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, body.accountId) });
  if (!account || account.kind !== 'business') {
    problems.unshift({
      field: 'accountId',
      rule: 'exists',
      message: `business account ${body.accountId} does not exist`,
    });
  }
  if (problems.length > 0) throw unprocessable('The quote breaks business rules', problems);

  const quoteId = newId('Q');
  const priced = body.items.map((item) => ({
    item,
    price: priceLine(catalog, { ...item, priceOverride: item.priceOverride ?? null }),
  }));
  const groupSize = (ref: string) => body.groups.find((g) => g.ref === ref)?.memberRefs.length ?? 1;
  // An offer on a group is bought once per member of the group.
  const lines = priced.map(({ item, price }) => {
    const times = item.appliesTo && 'group' in item.appliesTo ? groupSize(item.appliesTo.group) : 1;
    return {
      item,
      price: { ...price, recurringNet: price.recurringNet * times, oneOffNet: price.oneOffNet * times },
    };
  });
  const totals = totalsOf(lines.map((l) => l.price));
  const validUntil = new Date(Date.now() + QUOTE_VALIDITY_DAYS * 24 * 3600 * 1000).toISOString();

  await db.transaction(async (tx) => {
    await tx
      .insert(quotes)
      .values({ id: quoteId, accountId: body.accountId, state: 'inProgress', currentVersion: 1, validUntil });
    await tx.insert(quoteVersions).values({
      quoteId,
      version: 1,
      state: 'inProgress',
      currency: catalog.currency,
      catalogVersion: catalog.version,
      ...totals,
    });
    if (body.members.length > 0) {
      await tx.insert(quoteMembers).values(
        body.members.map((m) => ({
          quoteId,
          version: 1,
          ref: m.ref,
          kind: m.kind,
          name: m.name,
          address: m.address ?? null,
        })),
      );
    }
    if (body.groups.length > 0) {
      await tx.insert(quoteGroups).values(
        body.groups.map((g) => ({
          quoteId,
          version: 1,
          ref: g.ref,
          name: g.name,
          memberRefs: g.memberRefs,
        })),
      );
    }
    await tx.insert(quoteItems).values(
      lines.map(({ item, price }, i) => ({
        quoteId,
        version: 1,
        lineNo: i + 1,
        offeringCode: item.offeringCode,
        quantity: item.quantity,
        discountPct: item.discountPct,
        priceOverride: item.priceOverride ?? null,
        appliesToKind: item.appliesTo
          ? 'member' in item.appliesTo
            ? ('member' as const)
            : ('group' as const)
          : ('account' as const),
        appliesToRef: item.appliesTo
          ? 'member' in item.appliesTo
            ? item.appliesTo.member
            : item.appliesTo.group
          : null,
        recurringListPrice: price.recurringListPrice,
        oneOffListPrice: price.oneOffListPrice,
        recurringNet: price.recurringNet,
        oneOffNet: price.oneOffNet,
      })),
    );
    await tx.insert(auditEvents).values({
      eventKey: `quote:${quoteId}:created`,
      entityType: 'quote',
      entityId: quoteId,
      toState: 'inProgress',
      actor: 'api',
      details: { version: 1 },
    });
  });
  return quoteId;
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
