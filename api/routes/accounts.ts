import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { accountResponse, createAccountBody, inventoryResponse } from '../schemas/accounts';
import { errorResponse, idParams } from '../schemas/common';
import { accountInventory, createAccount, getAccount } from '../services/accounts';
import { allow } from '../auth';
import { access } from '../auth/role-groups';

export const accountRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/accounts',
      {
        config: { access: allow('sales') },
        schema: {
          summary: 'Create a business account',
          tags: ['accounts'],
          body: createAccountBody,
          response: { 201: accountResponse, 400: errorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await createAccount(deps, request.body)),
    );

    app.get(
      '/accounts/:id',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'An account with its service accounts',
          tags: ['accounts'],
          params: idParams,
          response: { 200: accountResponse, 404: errorResponse },
        },
      },
      async (request) => getAccount(deps, request.params.id),
    );

    app.get(
      '/accounts/:id/inventory',
      {
        config: { access: allow('viewer', 'admin', 'sales', 'orderManager', 'integration') },
        schema: {
          summary: 'Product inventory, service inventory and configuration items (CMDB) of an account',
          tags: ['accounts'],
          params: idParams,
          response: { 200: inventoryResponse, 404: errorResponse },
        },
      },
      async (request) => accountInventory(deps, request.params.id),
    );
  };
