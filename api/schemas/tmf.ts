/**
 * TMF622 Product Ordering v4 as this API accepts and answers it (the official definitions are in `tmf/`).
 * Input: the fields we honour, plus the TMF extension fields (`@type`, `@baseType`, `@schemaLocation`,
 * `@referredType`), which are accepted and ignored; any other field is refused, so a client never believes
 * we stored something we did not.
 */
import { z } from 'zod';
import { orderStates } from '../../domain/states';
import { id, jsonValue } from './common';

/** The TMF extension fields (TMF630 polymorphism), accepted on every input object and ignored. */
const extensionFields = {
  '@type': z.string().max(200).optional(),
  '@baseType': z.string().max(200).optional(),
  '@schemaLocation': z.string().max(2000).optional(),
  '@referredType': z.string().max(200).optional(),
};

/**
 * An object of TMF fields: the shape's keys and the extension fields, nothing else. Strict, so that the
 * OpenAPI document says `additionalProperties: false` and a client learns at once of a field we ignore.
 */
function tmfObject<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject({ ...extensionFields, ...shape });
}

const text = (max: number) => z.string().max(max).trim().min(1);
const dateTime = z.iso.datetime({ offset: true }).or(z.iso.date());
const reference = { id, href: text(2000).optional(), name: text(500).optional() };

const relatedParty = tmfObject({ ...reference, role: text(100).optional() });
/** A site, by reference or by value: a name, or a GeographicAddress's fields, give the address surveyed. */
const place = tmfObject({
  id: id.optional(),
  href: text(2000).optional(),
  name: text(500).optional(),
  role: text(100).optional(),
  streetNr: text(20).optional(),
  streetName: text(200).optional(),
  postcode: text(20).optional(),
  city: text(100).optional(),
  country: text(100).optional(),
});
export type PlaceInput = z.infer<typeof place>;
const characteristic = tmfObject({
  name: text(100),
  value: z.union([z.string().max(2000), z.number(), z.boolean()]),
  valueType: text(50).optional(),
});

export const orderItemActions = ['add', 'modify', 'delete', 'noChange'] as const;

const productOrderItemInput = tmfObject({
  id: text(100),
  action: z.enum(orderItemActions),
  quantity: z.number().int().positive().max(10_000).optional(),
  productOffering: tmfObject(reference).optional(),
  product: tmfObject({
    /** The site the item is installed at; its `id` names the site across items (one sub-order per site). */
    place: z.array(place).max(1).optional(),
    /** The subscriber of a subscriber offering (a mobile line). */
    relatedParty: z.array(relatedParty).max(1).optional(),
    productCharacteristic: z.array(characteristic).max(100).optional(),
  }).optional(),
});
export type ProductOrderItemInput = z.infer<typeof productOrderItemInput>;

export const noteInput = tmfObject({
  id: text(100).optional(),
  author: text(200).optional(),
  date: dateTime.optional(),
  text: text(4000),
});
export type NoteInput = z.infer<typeof noteInput>;

export const createProductOrderBody = tmfObject({
  /** An accepted quote: the order is the quote's, as `POST /orders` makes it. */
  quote: z.array(tmfObject(reference)).min(1).max(1).optional(),
  /** Without a quote: standard offers at catalog prices, each `action: add` with its site. */
  productOrderItem: z.array(productOrderItemInput).min(1).max(5_000).optional(),
  /** The customer (`role: customer`): our business account's ID. */
  relatedParty: z.array(relatedParty).max(20).optional(),
  requestedCompletionDate: dateTime.optional(),
  note: z.array(noteInput).max(100).optional(),
})
  .superRefine((body, ctx) => {
    if (!body.quote && !body.productOrderItem)
      ctx.addIssue({
        code: 'custom',
        path: ['productOrderItem'],
        message: 'an order needs a quote (quote[0].id) or at least one productOrderItem',
      });
  })
  // The same rule in the document.
  .meta({ anyOf: [{ required: ['quote'] }, { required: ['productOrderItem'] }] });
export type CreateProductOrderBody = z.infer<typeof createProductOrderBody>;

/**
 * `PATCH /productOrder/{id}` (JSON merge patch): what may change in flight is checked here for its form
 * and by the service for the rest, so that every field it refuses is named with the reason.
 */
export const patchProductOrderBody = z
  .object({
    requestedCompletionDate: dateTime.nullable().optional(),
    note: z.array(noteInput).max(100).optional(),
  })
  // Any other field reaches the service, which names why it cannot be patched (422).
  .catchall(jsonValue);
export type PatchProductOrderBody = z.infer<typeof patchProductOrderBody>;

export const paging = {
  /** Top-level attributes to answer, comma-separated (`id`, `href` and `@type` always come). */
  fields: z.string().trim().max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
};
export const fieldsQuery = z.strictObject({ fields: paging.fields });

export const listProductOrdersQuery = z.strictObject({
  ...paging,
  state: z.enum(orderStates).optional(),
  'relatedParty.id': id.optional(),
  'orderDate.gt': dateTime.optional(),
  'orderDate.lt': dateTime.optional(),
  'orderDate.gte': dateTime.optional(),
  'orderDate.lte': dateTime.optional(),
});
export type ListProductOrdersQuery = z.infer<typeof listProductOrdersQuery>;

export const cancelStates = ['acknowledged', 'inProgress', 'done', 'terminatedWithError'] as const;

export const createCancelProductOrderBody = tmfObject({
  productOrder: tmfObject(reference),
  cancellationReason: text(2000).optional(),
  requestedCancellationDate: dateTime.optional(),
});
export type CreateCancelProductOrderBody = z.infer<typeof createCancelProductOrderBody>;

export const listCancelProductOrdersQuery = z.strictObject({
  ...paging,
  state: z.enum(cancelStates).optional(),
  'productOrder.id': id.optional(),
});
export type ListCancelProductOrdersQuery = z.infer<typeof listCancelProductOrdersQuery>;

export const tmfIdParams = z.object({ id });

// ---- Answers: the official definitions are the contract (the tests validate them with ajv) -----------
const entity = { id: z.string(), href: z.string(), '@type': z.string() };
export const productOrderResponse = z.looseObject({
  ...entity,
  state: z.string().optional(),
  orderDate: z.string().optional(),
  productOrderItem: z
    .array(z.looseObject({ id: z.string(), action: z.enum(orderItemActions), state: z.string().optional() }))
    .optional(),
});
export const productOrderListResponse = z.array(productOrderResponse);
export const cancelProductOrderResponse = z.looseObject({
  ...entity,
  state: z.string().optional(),
  productOrder: z.looseObject({ id: z.string() }).optional(),
});
export const cancelProductOrderListResponse = z.array(cancelProductOrderResponse);

export const tmfErrorResponse = z.object({
  code: z.string(),
  reason: z.string(),
  message: z.string().optional(),
  status: z.string(),
  '@type': z.string(),
});
/** Every error a TMF route may answer, in the TMF shape. */
export const tmfErrorResponses = {
  400: tmfErrorResponse,
  401: tmfErrorResponse,
  403: tmfErrorResponse,
  404: tmfErrorResponse,
  409: tmfErrorResponse,
  415: tmfErrorResponse,
  422: tmfErrorResponse,
  429: tmfErrorResponse,
  503: tmfErrorResponse,
};

// ---- The event hub (TMF630 `EventSubscription`) ---------------------------------------------------------
export const hubSubscriptionBody = tmfObject({
  /** Where the events go: an `http(s)` URL whose host is on `HUB_CALLBACK_ALLOWLIST`. */
  callback: z.url().max(2000),
  /** Which events: `eventType=A,B&event.productOrder.state=completed`; every event when absent. */
  query: z.string().max(2000).optional(),
});
export type HubSubscriptionBody = z.infer<typeof hubSubscriptionBody>;
export const hubSubscriptionResponse = z.looseObject({
  id: z.string(),
  callback: z.string(),
  query: z.string().optional(),
  /** Only in the answer of `POST /hub`: the Standard Webhooks secret that signs every delivery. */
  secret: z.string().optional(),
  state: z.enum(['active', 'failing']),
});
