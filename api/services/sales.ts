/** Stage 1 and the sales agreement of stage 2: leads, opportunities and the frame for quotes. */
import { desc, eq } from 'drizzle-orm';
import {
  accounts,
  auditEvents,
  catalogVersions,
  leads,
  opportunities,
  salesAgreements,
} from '../../db/schema';
import { isEffective, isoDay, termEnd } from '../../domain/agreement-terms';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { ConvertLeadBody, CreateAgreementBody, CreateLeadBody } from '../schemas/sales';
import { businessAccount } from './accounts';
import type { Actor } from '../../domain/roles';

/** The business account a lead converts into or an agreement is made with, or a 422 naming the field. */
async function existingBusinessAccount(deps: AppDeps, accountId: string) {
  const { account, problem } = await businessAccount(deps, accountId);
  if (problem) throw unprocessable('The request breaks business rules', [problem]);
  return account!;
}

/** A lead needs no account yet. */
export async function createLead({ database: { db } }: AppDeps, body: CreateLeadBody) {
  const [lead] = await db
    .insert(leads)
    .values({ id: newId('LEAD'), ...body, state: 'new' })
    .returning();
  return lead;
}

export async function getLead({ database: { db } }: AppDeps, leadId: string) {
  const lead = await db.query.leads.findFirst({ where: eq(leads.id, leadId) });
  if (!lead) throw notFound('Lead', leadId);
  return lead;
}

/** Converts a new lead into an opportunity of a business account, once: the lead row is locked meanwhile. */
export async function convertLead(deps: AppDeps, leadId: string, body: ConvertLeadBody, who: Actor) {
  const account = await existingBusinessAccount(deps, body.accountId);
  return deps.database.db.transaction(async (tx) => {
    const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for('update');
    if (!lead) throw notFound('Lead', leadId);
    if (lead.state !== 'new')
      throw invalidState(`Lead ${leadId} is ${lead.state} (opportunity ${lead.opportunityId})`);
    const [created] = await tx
      .insert(opportunities)
      .values({
        id: newId('OPP'),
        accountId: account.id,
        leadId,
        name: body.opportunityName ?? `${lead.company}: ${account.name}`,
        state: 'open',
      })
      .returning();
    await tx.update(leads).set({ state: 'converted', opportunityId: created.id }).where(eq(leads.id, leadId));
    await tx.insert(auditEvents).values({
      eventKey: `lead:${leadId}:converted`,
      entityType: 'lead',
      entityId: leadId,
      fromState: 'new',
      toState: 'converted',
      actor: who.subject,
      actorRole: who.role,
      details: { opportunityId: created.id, accountId: account.id },
    });
    return created;
  });
}

export async function getOpportunity({ database: { db } }: AppDeps, opportunityId: string) {
  const opportunity = await db.query.opportunities.findFirst({ where: eq(opportunities.id, opportunityId) });
  if (!opportunity) throw notFound('Opportunity', opportunityId);
  return opportunity;
}

/**
 * A sales (frame) agreement: its term, the account's discount cap and the default negotiated discount, the
 * price list it applies to, and global SLAs, inherited by its quotes. Every rule broken is listed.
 */
export async function createAgreement(deps: AppDeps, body: CreateAgreementBody) {
  const { durationMonths, priceList, ...fields } = body;
  await existingBusinessAccount(deps, body.accountId);
  const problems: ErrorDetail[] = [];
  const startsOn = body.startsOn ?? isoDay();
  if (body.endsOn !== undefined && durationMonths !== undefined)
    problems.push({
      field: 'durationMonths',
      rule: 'one_of',
      message: 'give the term as endsOn or as durationMonths, not both',
    });
  const endsOn = body.endsOn ?? termEnd(startsOn, durationMonths ?? 12);
  if (endsOn < startsOn)
    problems.push({
      field: 'endsOn',
      rule: 'term',
      message: `the term ends (${endsOn}) before it starts (${startsOn})`,
    });
  if (body.defaultDiscountPct > body.maxDiscountPct)
    problems.push({
      field: 'defaultDiscountPct',
      rule: 'capped',
      message: `the default discount ${body.defaultDiscountPct}% is above the agreement's cap of ${body.maxDiscountPct}%`,
    });
  const catalogVersion = priceList ?? deps.catalogs.current.version;
  const known = await deps.database.db.query.catalogVersions.findFirst({
    where: eq(catalogVersions.version, catalogVersion),
  });
  if (!known && catalogVersion !== deps.catalogs.current.version)
    problems.push({
      field: 'priceList',
      rule: 'in_catalog',
      message: `price list (catalog version) ${catalogVersion} is not known; the current one is ${deps.catalogs.current.version}`,
    });
  if (problems.length > 0) throw unprocessable('The agreement breaks business rules', problems);
  const [agreement] = await deps.database.db
    .insert(salesAgreements)
    .values({ id: newId('AGR'), ...fields, startsOn, endsOn, catalogVersion })
    .returning();
  return withEffect(agreement);
}

const withEffect = (agreement: typeof salesAgreements.$inferSelect) => ({
  ...agreement,
  effective: isEffective(agreement, isoDay()),
});

export async function getAgreement({ database: { db } }: AppDeps, agreementId: string) {
  const agreement = await db.query.salesAgreements.findFirst({ where: eq(salesAgreements.id, agreementId) });
  if (!agreement) throw notFound('Sales agreement', agreementId);
  return withEffect(agreement);
}

/** The account's agreements, newest term first, each marked effective or not today. */
export async function listAgreements(deps: AppDeps, accountId: string) {
  const account = await deps.database.db.query.accounts.findFirst({ where: eq(accounts.id, accountId) });
  if (!account) throw notFound('Account', accountId);
  const rows = await deps.database.db
    .select()
    .from(salesAgreements)
    .where(eq(salesAgreements.accountId, accountId))
    .orderBy(desc(salesAgreements.startsOn), desc(salesAgreements.createdAt));
  return { agreements: rows.map(withEffect) };
}
