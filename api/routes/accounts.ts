import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accounts, configurationItems, productInventory, serviceInventory } from '../../db/schema';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { newId } from '../ids';
import { accountResponse, createAccountBody, errorResponse, idParams, inventoryResponse } from '../schemas';

export const accountRoutes =
  ({ database: { db } }: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/accounts',
      {
        schema: {
          summary: 'Create a business account',
          tags: ['accounts'],
          body: createAccountBody,
          response: { 201: accountResponse, 400: errorResponse },
        },
      },
      async (request, reply) => {
        const [account] = await db
          .insert(accounts)
          .values({
            id: newId('ACC'),
            kind: 'business',
            name: request.body.name,
            billingProfile: request.body.billingProfile ?? null,
          })
          .returning();
        return reply.code(201).send({ ...account, serviceAccounts: [] });
      },
    );

    app.get(
      '/accounts/:id',
      {
        schema: {
          summary: 'An account with its service accounts',
          tags: ['accounts'],
          params: idParams,
          response: { 200: accountResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const account = await db.query.accounts.findFirst({ where: eq(accounts.id, request.params.id) });
        if (!account) throw notFound('Account', request.params.id);
        const serviceAccounts = await db
          .select()
          .from(accounts)
          .where(and(eq(accounts.parentId, account.id), eq(accounts.kind, 'service')));
        return { ...account, serviceAccounts };
      },
    );

    app.get(
      '/accounts/:id/inventory',
      {
        schema: {
          summary: 'Product inventory, service inventory and configuration items (CMDB) of an account',
          tags: ['accounts'],
          params: idParams,
          response: { 200: inventoryResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const account = await db.query.accounts.findFirst({ where: eq(accounts.id, request.params.id) });
        if (!account) throw notFound('Account', request.params.id);
        const products = await db
          .select()
          .from(productInventory)
          .where(eq(productInventory.accountId, account.id));
        const services = await db
          .select()
          .from(serviceInventory)
          .where(eq(serviceInventory.accountId, account.id));
        const items = await db
          .select()
          .from(configurationItems)
          .where(eq(configurationItems.customerAccountId, account.id));
        return {
          accountId: account.id,
          productInventory: products,
          serviceInventory: services,
          configurationItems: items,
        };
      },
    );
  };
