import { and, eq } from 'drizzle-orm';
import { accounts, quoteGroups, quoteItems, quoteMembers, type quotes } from '../../db/schema';
import type { AppDeps } from '../deps';
import { unprocessable, type ErrorDetail } from '../errors';

/** What the order is made of, once every rule is checked: a 422 lists each one the quote breaks. */
export async function orderableContent(deps: AppDeps, quote: typeof quotes.$inferSelect) {
  const { db } = deps.database;
  const version = quote.currentVersion;
  const account = (await db.query.accounts.findFirst({ where: eq(accounts.id, quote.accountId) }))!;
  const members = await db
    .select()
    .from(quoteMembers)
    .where(and(eq(quoteMembers.quoteId, quote.id), eq(quoteMembers.version, version)));
  const groups = await db
    .select()
    .from(quoteGroups)
    .where(and(eq(quoteGroups.quoteId, quote.id), eq(quoteGroups.version, version)));
  const items = await db
    .select()
    .from(quoteItems)
    .where(and(eq(quoteItems.quoteId, quote.id), eq(quoteItems.version, version)));
  const catalogVersion = (await db.query.quoteVersions.findFirst({
    where: (v, { and: a, eq: e }) => a(e(v.quoteId, quote.id), e(v.version, version)),
  }))!.catalogVersion;
  const catalog = await deps.catalogs.get(catalogVersion);

  const problems: ErrorDetail[] = [];
  if (quote.state !== 'accepted')
    problems.push({
      field: 'quoteId',
      rule: 'quote_accepted',
      message: `quote ${quote.id} is ${quote.state}, not accepted`,
    });
  if (!account.billingProfile)
    problems.push({
      field: 'accountId',
      rule: 'billing_profile',
      message: `account ${account.id} has no billing profile`,
    });
  const known = new Set(catalog.offerings.map((o) => o.code));
  for (const item of items) {
    if (!known.has(item.offeringCode))
      problems.push({
        field: `items.${item.lineNo}`,
        rule: 'in_catalog',
        message: `offering ${item.offeringCode} is not in catalog ${catalog.version}`,
      });
  }
  if (problems.length > 0) throw unprocessable('The order cannot be created', problems);
  return { account, members, groups, items, catalogVersion };
}
