/**
 * TMF622 Product Ordering Management v4 at its specification's base path. Errors here take the TMF shape
 * (`api/tmf-errors.ts`); machine clients (`integration`) order, and the back office reads and acts too.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allow } from '../auth';
import { actorOf } from '../auth';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { idempotencyHeaders } from '../schemas/orders';
import {
  cancelProductOrderListResponse,
  cancelProductOrderResponse,
  createCancelProductOrderBody,
  createProductOrderBody,
  fieldsQuery,
  listCancelProductOrdersQuery,
  listProductOrdersQuery,
  patchProductOrderBody,
  productOrderListResponse,
  productOrderResponse,
  tmfErrorResponses as errors,
  tmfIdParams,
} from '../schemas/tmf';
import {
  getCancellation,
  listCancellations,
  requestCancellation,
} from '../services/tmf/cancel-product-orders';
import { productOrderingBase } from '../../views/tmf-product-order';
import {
  createProductOrder,
  getProductOrder,
  listProductOrders,
  patchProductOrder,
} from '../services/tmf/product-orders';
import { registerTmfErrorHandler } from '../tmf-errors';
import { registerHubRoutes } from './tmf-hub';

const tags = ['TMF622 product ordering'];
const order = () => allow('integration', 'orderManager');
const read = () => allow('integration', 'orderManager', 'viewer', 'admin');

const productOrdering: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  registerTmfErrorHandler(app);
  // TMF PATCH bodies are JSON merge patches (RFC 7396).
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch (err) {
      const message = `The body is not valid JSON: ${(err as Error).message}`;
      done(
        new ApiError(400, 'validation_failed', message, [{ field: 'body', rule: 'json', message }]),
        undefined,
      );
    }
  });

  app.post(
    '/productOrder',
    {
      config: { access: order() },
      schema: {
        summary:
          'Order from an accepted quote (quote[0].id), or standard offers from productOrderItem[] alone',
        tags,
        body: createProductOrderBody,
        headers: idempotencyHeaders,
        response: { 201: productOrderResponse, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createProductOrder(deps, request.body, request.headers['idempotency-key'], actorOf(request)),
        ),
  );

  app.get(
    '/productOrder',
    {
      config: { access: read() },
      schema: {
        summary:
          'Product orders, newest first: state, relatedParty.id, orderDate.gt/.lt; fields, offset, limit',
        tags,
        querystring: listProductOrdersQuery,
        response: { 200: productOrderListResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { total, productOrders } = await listProductOrders(deps, request.query);
      return reply
        .header('x-total-count', String(total))
        .header('x-result-count', String(productOrders.length))
        .send(productOrders);
    },
  );

  app.get(
    '/productOrder/:id',
    {
      config: { access: read() },
      schema: {
        summary: 'A product order: our order, one productOrderItem per order line',
        tags,
        params: tmfIdParams,
        querystring: fieldsQuery,
        response: { 200: productOrderResponse, ...errors },
      },
    },
    async (request) => getProductOrder(deps, request.params.id, request.query.fields),
  );

  app.patch(
    '/productOrder/:id',
    {
      config: { access: order() },
      schema: {
        summary: 'Merge patch of what may change in flight: requestedCompletionDate, note',
        tags,
        params: tmfIdParams,
        body: patchProductOrderBody,
        response: { 200: productOrderResponse, ...errors },
      },
    },
    async (request) => patchProductOrder(deps, request.params.id, request.body, actorOf(request)),
  );

  app.post(
    '/cancelProductOrder',
    {
      config: { access: order() },
      schema: {
        summary: 'Ask for a product order to be cancelled: assessed against its points of no return',
        tags,
        body: createCancelProductOrderBody,
        response: { 201: cancelProductOrderResponse, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await requestCancellation(deps, request.body, actorOf(request))),
  );

  app.get(
    '/cancelProductOrder',
    {
      config: { access: read() },
      schema: {
        summary: 'Cancellation requests, newest first: state, productOrder.id; fields, offset, limit',
        tags,
        querystring: listCancelProductOrdersQuery,
        response: { 200: cancelProductOrderListResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { total, cancellations } = await listCancellations(deps, request.query);
      return reply
        .header('x-total-count', String(total))
        .header('x-result-count', String(cancellations.length))
        .send(cancellations);
    },
  );

  app.get(
    '/cancelProductOrder/:id',
    {
      config: { access: read() },
      schema: {
        summary: 'A cancellation request and where it stands',
        tags,
        params: tmfIdParams,
        querystring: fieldsQuery,
        response: { 200: cancelProductOrderResponse, ...errors },
      },
    },
    async (request) => getCancellation(deps, request.params.id, request.query.fields),
  );

  registerHubRoutes(app, deps, 'productOrderingManagement', 'TMF622');
};

export const tmfProductOrderingRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(productOrdering, { prefix: productOrderingBase, deps });
  };
