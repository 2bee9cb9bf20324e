/** The business rules of a quote's content and terms, every problem listed (API.md: 422 lists every rule). */
import { eq } from 'drizzle-orm';
import type { Catalog } from '../../catalog/schema';
import { opportunities, salesAgreements } from '../../db/schema';
import type { AppDeps } from '../deps';
import type { ErrorDetail } from '../errors';
import type { CreateQuoteBody } from '../schemas/quotes';
import { agreementBreaches, isoDay } from '../../domain/agreement-terms';
import { businessAccount } from './accounts';

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

export interface QuoteTerms {
  accountId: string;
  opportunityId: string | null;
  agreementId: string | null;
}
export type Agreement = typeof salesAgreements.$inferSelect;

/** The account, opportunity and agreement a quote names, each checked, every problem listed. */
export async function termsProblems(deps: AppDeps, terms: QuoteTerms) {
  const problems: ErrorDetail[] = [];
  const { problem } = await businessAccount(deps, terms.accountId);
  if (problem) problems.push(problem);
  if (terms.opportunityId) {
    const opportunity = await deps.database.db.query.opportunities.findFirst({
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
    agreement = await deps.database.db.query.salesAgreements.findFirst({
      where: eq(salesAgreements.id, terms.agreementId),
    });
    if (!agreement || agreement.accountId !== terms.accountId) {
      agreement = undefined;
      problems.push({
        field: 'agreementId',
        rule: 'exists',
        message: `sales agreement ${terms.agreementId} is not an agreement of account ${terms.accountId}`,
      });
    } else {
      // A quote is made (and each version priced) today, from the current catalog.
      for (const breach of agreementBreaches(agreement, isoDay(), deps.catalogs.current.version))
        problems.push({ field: 'agreementId', ...breach });
    }
  }
  return { problems, agreement };
}
