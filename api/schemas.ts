/** Request and response schemas: one source for validation and for the OpenAPI document at `/docs/json`. */
import { z } from 'zod';
import { slaSchema } from '../catalog/schema';
import { approvalRoles } from '../domain/approval-policy';
import { falloutActions } from '../domain/fallout-policy';

const id = z.string().trim().min(1).max(100);
const ref = z.string().trim().min(1).max(50);
export const idParams = z.object({ id });

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()),
  }),
});

export const billingProfileSchema = z.strictObject({
  billingAddress: z.string().trim().min(1).max(500),
  paymentMethod: z.enum(['invoice', 'directDebit', 'card']).default('invoice'),
  billingCycle: z.enum(['monthly', 'quarterly', 'yearly']).default('monthly'),
  email: z.email().optional(),
  /** The exposure the credit check allows: one-off charges plus three months of recurring ones. */
  creditLimit: z.number().positive().optional(),
});

export const createAccountBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  billingProfile: billingProfileSchema.optional(),
});

const memberSchema = z.strictObject({
  ref,
  kind: z.enum(['location', 'subscriber']),
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().min(1).max(500).optional(),
});
const groupSchema = z.strictObject({
  ref,
  name: z.string().trim().min(1).max(200),
  memberRefs: z.array(ref),
});
const appliesToSchema = z.union([z.strictObject({ member: ref }), z.strictObject({ group: ref })]);
const itemSchema = z.strictObject({
  offeringCode: z.string().trim().min(1).max(100),
  quantity: z.number().int().positive().max(10_000).default(1),
  discountPct: z.number().min(0).max(100).default(0),
  priceOverride: z.number().min(0).optional(),
  appliesTo: appliesToSchema.optional(),
});

const quoteFields = {
  accountId: id,
  opportunityId: id.optional(),
  agreementId: id.optional(),
  members: z.array(memberSchema).max(5_000),
  groups: z.array(groupSchema).max(1_000),
  items: z.array(itemSchema).min(1).max(20_000),
};
export const createQuoteBody = z.strictObject({
  ...quoteFields,
  members: quoteFields.members.default([]),
  groups: quoteFields.groups.default([]),
});
export type CreateQuoteBody = z.infer<typeof createQuoteBody>;
/** A change to a quote: what is given replaces the current version's field, the rest carries over. */
export const patchQuoteBody = z.strictObject({
  accountId: id.optional(),
  opportunityId: id.nullable().optional(),
  agreementId: id.nullable().optional(),
  members: quoteFields.members.optional(),
  groups: quoteFields.groups.optional(),
  items: quoteFields.items.optional(),
});
export type PatchQuoteBody = z.infer<typeof patchQuoteBody>;

export const createLeadBody = z.strictObject({
  company: z.string().trim().min(1).max(200),
  contactName: z.string().trim().min(1).max(200).optional(),
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  source: z.string().trim().min(1).max(100).optional(),
});
export const convertLeadBody = z.strictObject({
  accountId: id,
  opportunityName: z.string().trim().min(1).max(200).optional(),
});
export const leadResponse = z.looseObject({
  id: z.string(),
  company: z.string(),
  state: z.string(),
  opportunityId: z.string().nullable(),
});
export const opportunityResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  leadId: z.string().nullable(),
  name: z.string(),
  state: z.string(),
});

export const createAgreementBody = z.strictObject({
  accountId: id,
  name: z.string().trim().min(1).max(200).default('Sales agreement'),
  maxDiscountPct: z.number().min(0).max(100),
  slas: z.array(slaSchema).min(1).max(50),
});
export const agreementResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  maxDiscountPct: z.number(),
  slas: z.array(slaSchema),
});

export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  /** The approval role the caller decides under; one their token holds. The awaited one when absent. */
  role: z.enum(approvalRoles).optional(),
  comment: z.string().max(2000).optional(),
  /** The version decided on; the current one when absent. A superseded version is refused with 409. */
  version: z.number().int().positive().optional(),
});

export const acceptBody = z.strictObject({ signedBy: z.string().trim().min(1).max(200) });

export const createOrderBody = z.strictObject({
  quoteId: id,
  requestedCompletionDate: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});
export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().trim().min(1).max(200).optional(),
});

const orderStates = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'assessingCancellation',
  'pendingCancellation',
  'cancelled',
  'completed',
  'failed',
  'partial',
] as const;
export const listOrdersQuery = z.strictObject({
  state: z.enum(orderStates).optional(),
  accountId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const taskStates = [
  'pending',
  'ready',
  'running',
  'completed',
  'failed',
  'fatallyFailed',
  'onHold',
  'skipped',
  'cancelled',
  'superseded',
] as const;
export const listTasksQuery = z.strictObject({
  orderId: id.optional(),
  state: z.enum(taskStates).optional(),
  kind: z.enum(['api', 'manual', 'field', 'project']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const completeTaskBody = z.strictObject({
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().trim().min(1).max(200).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  note: z.string().max(2000).optional(),
});
export const failTaskBody = z.strictObject({
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().trim().min(1).max(200).optional(),
  reason: z.string().trim().min(1).max(2000),
});

export const injectFaultBody = z.strictObject({
  taskCode: z.string().trim().min(1).max(100),
  count: z.number().int().min(1).max(1000),
  /** `refuse`: a check (CREDIT_CHECK, FEASIBILITY_CHECK) answers no. */
  mode: z.enum(['error', 'timeout', 'refuse']),
  /** Only this customer's calls fail; every customer's when absent. */
  accountId: id.optional(),
});

// ---- Responses: the key fields of the contract; records may carry more. ------------------------------
const timestamp = z.string().nullable();
export const accountResponse = z.looseObject({
  id: z.string(),
  kind: z.enum(['business', 'service']),
  name: z.string(),
  billingProfile: z.unknown(),
  serviceAccounts: z.array(
    z.looseObject({ id: z.string(), name: z.string(), parentId: z.string().nullable() }),
  ),
});
export const inventoryResponse = z.looseObject({
  accountId: z.string(),
  productInventory: z.array(
    z.looseObject({ id: z.string(), orderId: z.string(), offeringCode: z.string(), state: z.string() }),
  ),
  serviceInventory: z.array(z.unknown()),
  configurationItems: z.array(z.unknown()),
});
export const quoteResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  state: z.string(),
  version: z.number().int(),
  validUntil: timestamp,
  versions: z.array(
    z.looseObject({
      version: z.number().int(),
      state: z.string(),
      currency: z.string(),
      recurringTotal: z.number(),
      oneOffTotal: z.number(),
      maxDiscountPct: z.number(),
      members: z.array(z.looseObject({ ref: z.string(), kind: z.string(), name: z.string() })),
      groups: z.array(z.looseObject({ ref: z.string(), memberRefs: z.array(z.string()) })),
      items: z.array(
        z.looseObject({
          lineNo: z.number(),
          offeringCode: z.string(),
          recurringNet: z.number(),
          oneOffNet: z.number(),
        }),
      ),
    }),
  ),
  salesContract: z.looseObject({ id: z.string(), signedBy: z.string() }).nullable(),
  approval: z.unknown().optional(),
});
const taskResponse = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  code: z.string(),
  kind: z.string(),
  state: z.string(),
  jeopardy: z.string(),
  dependsOn: z.array(z.string()),
  dueDate: timestamp,
});
export const orderTreeResponse = z.looseObject({
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
  subOrders: z.array(
    z.looseObject({
      id: z.string(),
      state: z.string(),
      serviceAccountId: z.string(),
      dueDate: timestamp,
      domainOrders: z.array(
        z.looseObject({
          id: z.string(),
          domain: z.string(),
          state: z.string(),
          dueDate: timestamp,
          tasks: z.array(taskResponse),
        }),
      ),
    }),
  ),
});
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
});
export const taskListResponse = z.object({ tasks: z.array(taskResponse) });
export const taskSignalResponse = z.object({
  taskId: z.string(),
  state: z.string(),
  signal: z.enum(['complete', 'fail']),
});
export const faultResponse = z.object({
  taskCode: z.string(),
  count: z.number(),
  mode: z.string(),
  accountId: z.string().nullable(),
});
export const catalogResponse = z.looseObject({
  version: z.string(),
  currency: z.string(),
  offerings: z.array(z.looseObject({ code: z.string(), name: z.string() })),
});

// ---- Fall-outs ------------------------------------------------------------------------------------
export const listFalloutsQuery = z.strictObject({
  state: z.enum(['open', 'inProgress', 'onHold', 'resolved', 'cancelled']).optional(),
  orderId: id.optional(),
  type: z.enum(['provisioning', 'inventory', 'billing', 'field', 'validation']).optional(),
  group: z.string().trim().min(1).max(100).optional(),
});
export const resolveFalloutBody = z.strictObject({
  action: z.enum(falloutActions),
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().trim().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
  /** For `complete`: what the task would have produced. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export const workFalloutBody = z.strictObject({
  /** `take`: someone works on it (inProgress); `hold`: waiting on someone else, no escalation; `release`. */
  action: z.enum(['take', 'hold', 'release']),
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().trim().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
});
export const falloutResponse = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  taskId: z.string(),
  type: z.string(),
  priority: z.string(),
  assignmentGroup: z.string(),
  state: z.string(),
  reason: z.string(),
});
export const falloutListResponse = z.object({ fallouts: z.array(falloutResponse) });

/** Hold, resume and cancel: a reason for the audit trail. */
export const orderActionBody = z
  .strictObject({ reason: z.string().trim().min(1).max(2000).optional() })
  .nullish();

export const systemParams = z.object({ system: z.string().trim().min(1).max(100) });
export const systemStatusBody = z.strictObject({ offline: z.boolean() });
export const systemStatusResponse = z.object({
  system: z.string(),
  offline: z.boolean(),
  domainOrdersWoken: z.number(),
});

// ---- Amendments ------------------------------------------------------------------------------------
const characteristics = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export const amendmentBody = z.strictObject({
  /** New sites, each with what it buys. */
  add: z
    .array(
      z.strictObject({
        offeringCode: z.string().trim().min(1).max(100),
        quantity: z.number().int().positive().max(10_000).default(1),
        characteristics: characteristics.optional(),
        site: z.strictObject({
          ref,
          kind: z.enum(['location', 'subscriber']),
          name: z.string().trim().min(1).max(200),
          address: z.string().trim().min(1).max(500).optional(),
        }),
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
  state: z.string(),
  changes: z.unknown(),
  before: z.unknown(),
  effects: z.unknown(),
});
