import { z } from 'zod';
import { orderStates } from '../../domain/states';
import { id, memberSchema, timestamp } from './common';
import { taskResponse } from './tasks';
import { fastSerialized } from '../serializers';

export const createOrderBody = z.strictObject({
  quoteId: id,
  requestedCompletionDate: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});
export const idempotencyHeaders = z.object({
  // Visible ASCII with no space at either end: what an HTTP header value can carry unchanged.
  'idempotency-key': z
    .string()
    .max(200)
    .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'visible ASCII, no space at either end')
    .optional(),
});

export const listOrdersQuery = z.strictObject({
  state: z.enum(orderStates).optional(),
  accountId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListOrdersQuery = z.infer<typeof listOrdersQuery>;

/** Hold, resume and cancel: a reason for the audit trail. */
export const orderActionBody = z
  .strictObject({ reason: z.string().max(2000).trim().min(1).optional() })
  .nullish();

/**
 * How deep `GET /orders/:id` goes: `order` (the order, its progress and open fall-outs), `subOrders`,
 * `domainOrders` (with the sub-orders' items), or `tasks`, the whole tree (the default). A screen of a
 * 1,000-site order asks for less than every task.
 */
export const orderTreeQuery = z.strictObject({
  depth: z.enum(['order', 'subOrders', 'domainOrders', 'tasks']).default('tasks'),
});
export type OrderTreeDepth = z.infer<typeof orderTreeQuery>['depth'];

/** A page of the audit trail: events after the cursor `after` (an event's `id`), at most `limit`. */
export const auditQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** Polled by every back-office screen: written by fast-json-stringify (see api/serializers.ts). */
export const orderTreeResponse = fastSerialized(
  z.looseObject({
    id: z.string(),
    quoteId: z.string(),
    accountId: z.string(),
    state: z.string(),
    dueDate: timestamp,
    progress: z.object({
      tasks: z.number(),
      completed: z.number(),
      running: z.number(),
      failed: z.number(),
      percent: z.number(),
    }),
    openFallouts: z.array(z.unknown()),
    /** Absent with `depth=order`; each sub-order's `domainOrders` absent with `depth=subOrders`, tasks below `tasks`. */
    subOrders: z
      .array(
        z.looseObject({
          id: z.string(),
          state: z.string(),
          serviceAccountId: z.string(),
          dueDate: timestamp,
          domainOrders: z
            .array(
              z.looseObject({
                id: z.string(),
                domain: z.string(),
                state: z.string(),
                dueDate: timestamp,
                tasks: z.array(taskResponse).optional(),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
  }),
);
export const orderListResponse = z.object({
  orders: z.array(
    z.looseObject({ id: z.string(), quoteId: z.string(), accountId: z.string(), state: z.string() }),
  ),
});
export const auditResponse = z.object({
  events: z.array(
    z.looseObject({
      entityType: z.string(),
      entityId: z.string(),
      fromState: z.string().nullable(),
      toState: z.string(),
      actor: z.string(),
      at: z.string(),
    }),
  ),
  /** The `after` of the next page; absent on the last. */
  next: z.number().optional(),
});

// ---- Amendments ------------------------------------------------------------------------------------
const characteristics = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export const amendmentBody = z.strictObject({
  /** New sites, each with what it buys. */
  add: z
    .array(
      z.strictObject({
        offeringCode: z.string().max(100).trim().min(1),
        quantity: z.number().int().positive().max(10_000).default(1),
        /** The discount the change quote offers on this line (default: the agreement's negotiated one). */
        discountPct: z.number().min(0).max(100).optional(),
        characteristics: characteristics.optional(),
        site: memberSchema,
      }),
    )
    .max(1000)
    .default([]),
  modify: z
    .array(z.strictObject({ orderItemId: id, characteristics }))
    .max(1000)
    .default([]),
  remove: z
    .array(z.strictObject({ orderItemId: id }))
    .max(1000)
    .default([]),
});
export type AmendmentBody = z.infer<typeof amendmentBody>;
export const amendmentResponse = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  sequence: z.number(),
  /** quoted (a commercial change awaiting its signed change quote), inProgress, completed, refused, withdrawn */
  state: z.string(),
  /** The change quote pricing a commercial change; null for a direct one. */
  changeQuoteId: z.string().nullable().optional(),
  /** On a commercial change just prepared: its change quote, and the difference to what was signed. */
  changeQuote: z
    .object({
      id: z.string(),
      version: z.number(),
      state: z.string(),
      recurringTotal: z.number(),
      oneOffTotal: z.number(),
      difference: z.object({ recurring: z.number(), oneOff: z.number() }),
    })
    .optional(),
  changes: z.unknown(),
  before: z.unknown(),
  effects: z.unknown(),
});
export const amendmentListResponse = z.object({ amendments: z.array(amendmentResponse) });
