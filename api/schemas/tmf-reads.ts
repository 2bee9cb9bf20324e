/** The TMF read APIs' queries and answers (TMF648, TMF641, TMF637, TMF638); paging as TMF622's. */
import { z } from 'zod';
import { domainOrderStates, productInventoryStates, quoteStates } from '../../domain/states';
import { id } from './common';
import { paging } from './tmf';

const category = z.string().max(100).trim().min(1).optional();

export const quoteListQuery = z.strictObject({
  ...paging,
  state: z.enum(quoteStates).optional(),
  'relatedParty.id': id.optional(),
});
export const quoteGetQuery = z.strictObject({
  fields: paging.fields,
  /** An earlier version of the quote; the current one when absent. */
  version: z.coerce.number().int().positive().max(10_000).optional(),
});
export const serviceOrderListQuery = z.strictObject({
  ...paging,
  state: z.enum(domainOrderStates).optional(),
  /** The product order the service orders fulfil. */
  'externalReference.id': id.optional(),
  /** The domain (`access`, `network`, `cpe`…). */
  category,
});
export const productListQuery = z.strictObject({
  ...paging,
  status: z.enum(productInventoryStates).optional(),
  'relatedParty.id': id.optional(),
  'productOrderItem.productOrderId': id.optional(),
});
export const serviceListQuery = z.strictObject({
  ...paging,
  state: z.enum(['reserved', 'inactive', 'active', 'terminated']).optional(),
  'relatedParty.id': id.optional(),
  category,
});

/** Every filter a read API may have; each route's own schema admits only its own. */
export type TmfReadQuery = { offset: number; limit: number; fields?: string } & Partial<
  Record<
    | 'state'
    | 'status'
    | 'relatedParty.id'
    | 'externalReference.id'
    | 'category'
    | 'productOrderItem.productOrderId',
    string
  >
>;

/** The official definitions are the contract (the tests validate every answer with ajv). */
export const tmfEntity = z.looseObject({ id: z.string(), href: z.string(), '@type': z.string() });
export const tmfEntityList = z.array(tmfEntity);
