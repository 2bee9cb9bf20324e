/** Stage 1 and the sales agreement of stage 2: leads, opportunities and the frame for quotes. */
import { eq } from 'drizzle-orm';
import { auditEvents, leads, opportunities, salesAgreements } from '../../db/schema';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable } from '../errors';
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

/** A sales agreement: the account's discount cap and global SLAs, inherited by its quotes. */
export async function createAgreement(deps: AppDeps, body: CreateAgreementBody) {
  await existingBusinessAccount(deps, body.accountId);
  const [agreement] = await deps.database.db
    .insert(salesAgreements)
    .values({ id: newId('AGR'), ...body })
    .returning();
  return agreement;
}

export async function getAgreement({ database: { db } }: AppDeps, agreementId: string) {
  const agreement = await db.query.salesAgreements.findFirst({ where: eq(salesAgreements.id, agreementId) });
  if (!agreement) throw notFound('Sales agreement', agreementId);
  return agreement;
}
