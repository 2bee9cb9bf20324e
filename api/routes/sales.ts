import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditEvents, leads, opportunities, salesAgreements } from '../../db/schema';
import type { AppDeps } from '../deps';
import { invalidState, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { businessAccount } from '../services/accounts';
import {
  agreementResponse,
  convertLeadBody,
  createAgreementBody,
  createLeadBody,
  errorResponse,
  idParams,
  leadResponse,
  opportunityResponse,
} from '../schemas';
import type { Db } from '../../db/client';

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };

/** The business account a lead converts into or an agreement is made with, or a 422 naming the field. */
async function existingBusinessAccount(db: Db, accountId: string) {
  const { account, problem } = await businessAccount(db, accountId);
  if (problem) throw unprocessable('The request breaks business rules', [problem]);
  return account!;
}

/** Stage 1 and the sales agreement of stage 2: leads, opportunities and the frame for quotes. */
export const salesRoutes =
  ({ database: { db } }: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/leads',
      {
        schema: {
          summary: 'Record a lead; it needs no account yet',
          tags: ['sales'],
          body: createLeadBody,
          response: { 201: leadResponse, ...errors },
        },
      },
      async (request, reply) => {
        const [lead] = await db
          .insert(leads)
          .values({ id: newId('LEAD'), ...request.body, state: 'new' })
          .returning();
        return reply.code(201).send(lead);
      },
    );

    app.get(
      '/leads/:id',
      {
        schema: {
          summary: 'A lead',
          tags: ['sales'],
          params: idParams,
          response: { 200: leadResponse, ...errors },
        },
      },
      async (request) => {
        const lead = await db.query.leads.findFirst({ where: eq(leads.id, request.params.id) });
        if (!lead) throw notFound('Lead', request.params.id);
        return lead;
      },
    );

    app.post(
      '/leads/:id/convert',
      {
        schema: {
          summary: 'Convert a qualified lead into an opportunity of a customer account',
          tags: ['sales'],
          params: idParams,
          body: convertLeadBody,
          response: { 201: opportunityResponse, ...errors },
        },
      },
      async (request, reply) => {
        const leadId = request.params.id;
        const account = await existingBusinessAccount(db, request.body.accountId);
        const opportunity = await db.transaction(async (tx) => {
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
              name: request.body.opportunityName ?? `${lead.company}: ${account.name}`,
              state: 'open',
            })
            .returning();
          await tx
            .update(leads)
            .set({ state: 'converted', opportunityId: created.id })
            .where(eq(leads.id, leadId));
          await tx.insert(auditEvents).values({
            eventKey: `lead:${leadId}:converted`,
            entityType: 'lead',
            entityId: leadId,
            fromState: 'new',
            toState: 'converted',
            actor: 'api',
            details: { opportunityId: created.id, accountId: account.id },
          });
          return created;
        });
        return reply.code(201).send(opportunity);
      },
    );

    app.get(
      '/opportunities/:id',
      {
        schema: {
          summary: 'An opportunity',
          tags: ['sales'],
          params: idParams,
          response: { 200: opportunityResponse, ...errors },
        },
      },
      async (request) => {
        const opportunity = await db.query.opportunities.findFirst({
          where: eq(opportunities.id, request.params.id),
        });
        if (!opportunity) throw notFound('Opportunity', request.params.id);
        return opportunity;
      },
    );

    app.post(
      '/agreements',
      {
        schema: {
          summary: "A sales agreement: the account's discount cap and global SLAs, inherited by its quotes",
          tags: ['sales'],
          body: createAgreementBody,
          response: { 201: agreementResponse, ...errors },
        },
      },
      async (request, reply) => {
        await existingBusinessAccount(db, request.body.accountId);
        const [agreement] = await db
          .insert(salesAgreements)
          .values({ id: newId('AGR'), ...request.body })
          .returning();
        return reply.code(201).send(agreement);
      },
    );

    app.get(
      '/agreements/:id',
      {
        schema: {
          summary: 'A sales agreement',
          tags: ['sales'],
          params: idParams,
          response: { 200: agreementResponse, ...errors },
        },
      },
      async (request) => {
        const agreement = await db.query.salesAgreements.findFirst({
          where: eq(salesAgreements.id, request.params.id),
        });
        if (!agreement) throw notFound('Sales agreement', request.params.id);
        return agreement;
      },
    );
  };
