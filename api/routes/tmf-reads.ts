/**
 * The TMF read APIs at their specifications' base paths: TMF648 quotes, TMF641 service orders (our domain
 * orders), TMF637 products and TMF638 services (our inventories). Each answers in the TMF shape, its
 * errors too (`api/tmf-errors.ts`), with `fields`, `offset`, `limit`, `X-Total-Count` and `X-Result-Count`.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allow } from '../auth';
import type { AppDeps } from '../deps';
import { tmfErrorResponses as errors, fieldsQuery, tmfIdParams } from '../schemas/tmf';
import {
  productListQuery,
  quoteGetQuery,
  quoteListQuery,
  serviceListQuery,
  serviceOrderListQuery,
  tmfEntity,
  tmfEntityList,
} from '../schemas/tmf-reads';
import {
  getProduct,
  getService,
  getServiceOrder,
  getTmfQuote,
  listProducts,
  listServiceOrders,
  listServices,
  listTmfQuotes,
} from '../services/tmf/reads';
import { registerTmfErrorHandler } from '../tmf-errors';
import { registerHubRoutes } from './tmf-hub';
import { tmfBase } from '../../views/tmf-resources';

const read = () => allow('integration', 'orderManager', 'viewer', 'admin');
const quoteReaders = () => allow('integration', 'sales', 'salesManager', 'orderManager', 'viewer', 'admin');

const paged = (reply: FastifyReply, { total, entities }: { total: number; entities: unknown[] }) =>
  reply
    .header('x-total-count', String(total))
    .header('x-result-count', String(entities.length))
    .send(entities);

const quoteManagement: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  registerTmfErrorHandler(app);
  registerHubRoutes(app, deps, 'quoteManagement', 'TMF648');
  const tags = ['TMF648 quote management'];
  const access = { access: quoteReaders() };
  app.get(
    '/quote',
    {
      config: access,
      schema: {
        summary: 'Quotes, newest first: state, relatedParty.id',
        tags,
        querystring: quoteListQuery,
        response: { 200: tmfEntityList, ...errors },
      },
    },
    async (request, reply) => paged(reply, await listTmfQuotes(deps, request.query)),
  );
  app.get(
    '/quote/:id',
    {
      config: access,
      schema: {
        summary: 'A quote: its current version, or `version=N`',
        tags,
        params: tmfIdParams,
        querystring: quoteGetQuery,
        response: { 200: tmfEntity, ...errors },
      },
    },
    async (request) => getTmfQuote(deps, request.params.id, request.query),
  );
};

const serviceOrdering: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  registerTmfErrorHandler(app);
  registerHubRoutes(app, deps, 'serviceOrdering', 'TMF641');
  const tags = ['TMF641 service ordering'];
  app.get(
    '/serviceOrder',
    {
      config: { access: read() },
      schema: {
        summary: 'Service orders (domain orders): state, externalReference.id (the product order), category',
        tags,
        querystring: serviceOrderListQuery,
        response: { 200: tmfEntityList, ...errors },
      },
    },
    async (request, reply) => paged(reply, await listServiceOrders(deps, request.query)),
  );
  app.get(
    '/serviceOrder/:id',
    {
      config: { access: read() },
      schema: {
        summary: 'A service order and its items (the tasks)',
        tags,
        params: tmfIdParams,
        querystring: fieldsQuery,
        response: { 200: tmfEntity, ...errors },
      },
    },
    async (request) => getServiceOrder(deps, request.params.id, request.query),
  );
};

const productInventory: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  registerTmfErrorHandler(app);
  registerHubRoutes(app, deps, 'productInventory', 'TMF637');
  const tags = ['TMF637 product inventory'];
  app.get(
    '/product',
    {
      config: { access: read() },
      schema: {
        summary: 'Products: status, relatedParty.id, productOrderItem.productOrderId',
        tags,
        querystring: productListQuery,
        response: { 200: tmfEntityList, ...errors },
      },
    },
    async (request, reply) => paged(reply, await listProducts(deps, request.query)),
  );
  app.get(
    '/product/:id',
    {
      config: { access: read() },
      schema: {
        summary: 'A product of the inventory',
        tags,
        params: tmfIdParams,
        querystring: fieldsQuery,
        response: { 200: tmfEntity, ...errors },
      },
    },
    async (request) => getProduct(deps, request.params.id, request.query),
  );
};

const serviceInventory: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  registerTmfErrorHandler(app);
  registerHubRoutes(app, deps, 'serviceInventory', 'TMF638');
  const tags = ['TMF638 service inventory'];
  app.get(
    '/service',
    {
      config: { access: read() },
      schema: {
        summary: 'Services: state, relatedParty.id, category',
        tags,
        querystring: serviceListQuery,
        response: { 200: tmfEntityList, ...errors },
      },
    },
    async (request, reply) => paged(reply, await listServices(deps, request.query)),
  );
  app.get(
    '/service/:id',
    {
      config: { access: read() },
      schema: {
        summary: 'A service of the inventory',
        tags,
        params: tmfIdParams,
        querystring: fieldsQuery,
        response: { 200: tmfEntity, ...errors },
      },
    },
    async (request) => getService(deps, request.params.id, request.query),
  );
};

export const tmfReadRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    await app.register(quoteManagement, { prefix: tmfBase.quote, deps });
    await app.register(serviceOrdering, { prefix: tmfBase.serviceOrder, deps });
    await app.register(productInventory, { prefix: tmfBase.product, deps });
    await app.register(serviceInventory, { prefix: tmfBase.service, deps });
  };
