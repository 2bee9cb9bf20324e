// Over 250 lines on purpose: the one table list drizzle-kit diffs into migrations, each table one block in lifecycle order.
import { sql } from 'drizzle-orm';
import {
  customType,
  bigint,
  bigserial,
  date,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { approvalRoles, approvalRules } from '../domain/approval-policy';
import { falloutTypes } from '../domain/fallout-policy';
import { falloutCaseStates } from '../domain/states';

/**
 * A `timestamptz` read and written as an ISO 8601 string (`2026-11-23T09:50:30.159Z`), whichever driver
 * is under it: what crosses the API and workflow boundaries is plain JSON.
 */
const isoTimestamp = customType<{ data: string; driverData: string | Date }>({
  dataType: () => 'timestamp with time zone',
  fromDriver: (value) => isoFromDriver(value),
  toDriver: (value) => isoToDriver(value),
});

/**
 * PostgreSQL's text form (`2026-11-23 09:50:30.159+00`, `0020-02-29 00:00:00+00`, `0001-01-01 00:00:00+00
 * BC`) as ISO 8601. `new Date()` reads only some of those (not a year before 1000, nor BC), and a stored
 * date that cannot be read would fail every read of its row.
 */
/** ISO 8601 as PostgreSQL reads it: year 0 and before (1 BC and before) in its `BC` form; others as they are. */
export function isoToDriver(value: string): string {
  const parts = /^([+-]\d{6}|\d{4})(-.*)$/.exec(value);
  if (!parts || Number(parts[1]) >= 1) return value;
  return `${String(1 - Number(parts[1])).padStart(4, '0')}${parts[2]} BC`;
}

/** PostgreSQL's text form of a UTC time of year 1000 or later, the form nearly every read gets. */
const UTC_TEXT = /^([1-9]\d{3})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$/;

export function isoFromDriver(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  // The common form, rewritten as text (a read of a list or a tree converts every timestamp of every
  // row, and the Date round trip below was a fifth of a read's CPU); the same answer as the general way.
  const utc = UTC_TEXT.exec(value);
  if (utc) {
    const ms = utc[7] ? Math.round(+`0.${utc[7]}` * 1000) : 0;
    if (ms < 1000)
      return `${utc[1]}-${utc[2]}-${utc[3]}T${utc[4]}:${utc[5]}:${utc[6]}.${String(ms).padStart(3, '0')}Z`;
  }
  const parts =
    /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/.exec(
      value,
    );
  if (!parts) return new Date(value).toISOString();
  const [, year, month, day, hours, minutes, seconds, fraction, sign, offH, offM, offS, bc] = parts;
  // Built in a leap year, then moved to its own: Date.UTC reads years 0 to 99 as 1900 to 1999. The
  // milliseconds come after the move, so a fraction that rounds up into the next year carries there.
  const date = new Date(Date.UTC(2000, +month - 1, +day, +hours, +minutes, +seconds));
  date.setUTCFullYear(bc ? 1 - +year : +year); // 1 BC is year 0
  const ms = fraction ? Math.round(+`0${fraction}` * 1000) : 0;
  const offsetSeconds = sign
    ? (sign === '-' ? -1 : 1) * (+offH * 3600 + +(offM ?? 0) * 60 + +(offS ?? 0))
    : 0;
  return new Date(date.getTime() + ms - offsetSeconds * 1000).toISOString();
}
const timestamp = (name: string) => isoTimestamp(name);
const createdAt = () =>
  timestamp('created_at')
    .notNull()
    .default(sql`now()`);
const updatedAt = () =>
  timestamp('updated_at')
    .notNull()
    .default(sql`now()`);
const money = (name: string) => numeric(name, { precision: 14, scale: 2, mode: 'number' });

/** Each catalog version, as loaded from `catalog/`. Orders keep the version they were decomposed with. */
export const catalogVersions = pgTable('catalog_versions', {
  version: text('version').primaryKey(),
  checksum: text('checksum').notNull(),
  document: jsonb('document').notNull(),
  loadedAt: timestamp('loaded_at')
    .notNull()
    .default(sql`now()`),
});

export interface Sla {
  metric: string;
  target: number;
  unit: string;
}

/** A prospect before it is a customer: it may exist without an account. */
export const leads = pgTable('leads', {
  id: text('id').primaryKey(),
  company: text('company').notNull(),
  contactName: text('contact_name'),
  email: text('email'),
  phone: text('phone'),
  source: text('source'),
  state: text('state', { enum: ['new', 'converted'] }).notNull(),
  opportunityId: text('opportunity_id'),
  createdAt: createdAt(),
});

/** A sales opportunity of a customer account, from a converted lead or opened directly. */
export const opportunities = pgTable(
  'opportunities',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    leadId: text('lead_id').unique(),
    name: text('name').notNull(),
    state: text('state', { enum: ['open', 'won', 'lost'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('opportunities_account_idx').on(t.accountId)],
);

/**
 * The commercial frame (000's frame agreement) for an account's quotes: a term, a discount cap and a default
 * negotiated discount, the price list it applies to, and global, service-agnostic SLAs.
 */
export const salesAgreements = pgTable(
  'sales_agreements',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    name: text('name').notNull(),
    maxDiscountPct: numeric('max_discount_pct', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    slas: jsonb('slas').$type<Sla[]>().notNull(),
    /** The term, first and last day inclusive (ISO dates); null on agreements made before terms: no bound. */
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
    /** The negotiated discount a quote line under the agreement gets when it names none (at most the cap). */
    defaultDiscountPct: numeric('default_discount_pct', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(0),
    /** The catalog version (price list) the agreement's prices come from; null: any. */
    catalogVersion: text('catalog_version'),
    createdAt: createdAt(),
  },
  (t) => [index('sales_agreements_account_idx').on(t.accountId)],
);

/** Business accounts (the customer) and service accounts (one per site or subscriber, under a business account). */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['business', 'service'] }).notNull(),
    name: text('name').notNull(),
    parentId: text('parent_id'),
    /** For a service account: the quote member it serves, so a retry never creates it twice. */
    memberKey: text('member_key'),
    billingProfile: jsonb('billing_profile'),
    createdAt: createdAt(),
  },
  (t) => [index('accounts_parent_idx').on(t.parentId), uniqueIndex('accounts_member_key_uq').on(t.memberKey)],
);

export const quotes = pgTable(
  'quotes',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    state: text('state').notNull(),
    currentVersion: integer('current_version').notNull(),
    opportunityId: text('opportunity_id'),
    agreementId: text('agreement_id'),
    validUntil: timestamp('valid_until'),
    /** A change quote's running order: the commercial change it prices (an amendment in state `quoted`). */
    changeOfOrderId: text('change_of_order_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('quotes_account_idx').on(t.accountId), index('quotes_change_of_idx').on(t.changeOfOrderId)],
);

/** A quote version: immutable once submitted; every later change makes the next version. */
export const quoteVersions = pgTable(
  'quote_versions',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    state: text('state').notNull(),
    currency: text('currency').notNull(),
    recurringTotal: money('recurring_total').notNull(),
    oneOffTotal: money('one_off_total').notNull(),
    maxDiscountPct: numeric('max_discount_pct', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    /** The sales agreement's cap when the quote names one: a discount above it needs the top level. */
    agreementMaxDiscountPct: numeric('agreement_max_discount_pct', {
      precision: 5,
      scale: 2,
      mode: 'number',
    }),
    /** The SLAs the version carries: the agreement's global SLAs, or the catalog's standard ones. */
    slas: jsonb('slas').$type<Sla[]>().notNull().default([]),
    catalogVersion: text('catalog_version').notNull(),
    /** The subject who created this version (the first, or a change): four-eyes bars them from approving it. */
    createdBy: text('created_by'),
    /** A change quote's version: what it changes on the running order and the difference to what was signed. */
    change: jsonb('change').$type<QuoteChange>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version] })],
);

export const quoteMembers = pgTable(
  'quote_members',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    ref: text('ref').notNull(),
    kind: text('kind', { enum: ['location', 'subscriber'] }).notNull(),
    name: text('name').notNull(),
    address: text('address'),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version, t.ref] })],
);

export const quoteGroups = pgTable(
  'quote_groups',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    ref: text('ref').notNull(),
    name: text('name').notNull(),
    memberRefs: text('member_refs').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version, t.ref] })],
);

export const quoteItems = pgTable(
  'quote_items',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    lineNo: integer('line_no').notNull(),
    offeringCode: text('offering_code').notNull(),
    quantity: integer('quantity').notNull(),
    discountPct: numeric('discount_pct', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    priceOverride: money('price_override'),
    appliesToKind: text('applies_to_kind', { enum: ['account', 'member', 'group'] }).notNull(),
    appliesToRef: text('applies_to_ref'),
    recurringListPrice: money('recurring_list_price').notNull(),
    oneOffListPrice: money('one_off_list_price').notNull(),
    recurringNet: money('recurring_net').notNull(),
    oneOffNet: money('one_off_net').notNull(),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version, t.lineNo] })],
);

export interface ApprovalDecisionRecord {
  role: string;
  decision: 'approve' | 'reject';
  /** The approver's subject (from their token); absent for decisions made before approvers were authenticated. */
  approver?: string;
  comment?: string;
  at: string;
}
export interface ApprovalEscalationRecord {
  from: string;
  to: string;
  at: string;
}

/**
 * The approval of one submitted quote version, as its workflow knows it: the levels and the rule that set
 * them, whose decision is awaited and until when, every decision and escalation. Written only by the
 * approval workflow's activities; the inbox (`GET /approvals`) reads it.
 */
export const quoteApprovals = pgTable(
  'quote_approvals',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    levelsRequired: text('levels_required').array().notNull(),
    rule: text('rule', { enum: approvalRules }).notNull(),
    reason: text('reason').notNull(),
    maxDiscountPct: numeric('max_discount_pct', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    agreementMaxDiscountPct: numeric('agreement_max_discount_pct', {
      precision: 5,
      scale: 2,
      mode: 'number',
    }),
    /** The role whose decision is awaited; null once decided, or when none is needed. */
    awaitingRole: text('awaiting_role', { enum: approvalRoles }),
    awaitingSince: timestamp('awaiting_since'),
    /** When the awaited level escalates to the one above; null for the top level, which waits. */
    decisionDue: timestamp('decision_due'),
    decisions: jsonb('decisions').$type<ApprovalDecisionRecord[]>().notNull().default([]),
    escalations: jsonb('escalations').$type<ApprovalEscalationRecord[]>().notNull().default([]),
    submittedAt: timestamp('submitted_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.quoteId, t.version] }),
    index('quote_approvals_awaiting_idx').on(t.awaitingRole, t.decisionDue),
  ],
);

/**
 * Feasibility at quote time (002: "feasibility results determine offer eligibility"): the downstream
 * check of one site of a submitted version for the offers applied to it, directly or through a group.
 */
export const quoteFeasibility = pgTable(
  'quote_feasibility',
  {
    quoteId: text('quote_id').notNull(),
    version: integer('version').notNull(),
    memberRef: text('member_ref').notNull(),
    siteName: text('site_name').notNull(),
    offerings: text('offerings').array().notNull(),
    feasible: boolean('feasible').notNull(),
    /** The feasibility system's reason when it cannot serve the site. */
    reason: text('reason'),
    /** The feasibility system's reference of the check. */
    reference: text('reference').notNull(),
    checkedAt: timestamp('checked_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version, t.memberRef] })],
);

/** What a change quote's version changes on its running order, priced against what the customer signed. */
export interface QuoteChange {
  orderId: string;
  amendmentId: string;
  /** The order's signed totals before the change (its active items). */
  signed: { recurring: number; oneOff: number };
  /** The order items the change removes, at the price they were signed for. */
  removed: { orderItemId: string; offeringCode: string; recurringNet: number; oneOffNet: number }[];
  /** What the customer pays more (negative: less) once the change applies: added lines less removed items. */
  difference: { recurring: number; oneOff: number };
}

export const salesContracts = pgTable('sales_contracts', {
  id: text('id').primaryKey(),
  quoteId: text('quote_id').notNull().unique(),
  quoteVersion: integer('quote_version').notNull(),
  accountId: text('account_id').notNull(),
  signedBy: text('signed_by').notNull(),
  signedAt: timestamp('signed_at').notNull(),
  /** The SHA-256 (hex) of the proposal PDF the customer signed (`GET /quotes/:id/versions/:v/proposal.pdf`). */
  documentSha256: text('document_sha256'),
});

/**
 * A signed change to a sales contract: a change quote's version the customer signed, the amendment it
 * applies to the running order, and the difference in price. One per change quote.
 */
export const salesContractChanges = pgTable(
  'sales_contract_changes',
  {
    id: text('id').primaryKey(),
    salesContractId: text('sales_contract_id').notNull(),
    changeQuoteId: text('change_quote_id').notNull().unique(),
    quoteVersion: integer('quote_version').notNull(),
    orderId: text('order_id').notNull(),
    amendmentId: text('amendment_id').notNull(),
    signedBy: text('signed_by').notNull(),
    signedAt: timestamp('signed_at').notNull(),
    documentSha256: text('document_sha256'),
    recurringDifference: money('recurring_difference').notNull(),
    oneOffDifference: money('one_off_difference').notNull(),
  },
  (t) => [index('sales_contract_changes_contract_idx').on(t.salesContractId)],
);

/**
 * One per site of an accepted quote: the entitlements (the offerings bought for the site) under the SLAs
 * the quote carries. Linked to the site's service account once the order creates it.
 */
export const serviceContracts = pgTable(
  'service_contracts',
  {
    id: text('id').primaryKey(),
    salesContractId: text('sales_contract_id').notNull(),
    quoteId: text('quote_id').notNull(),
    accountId: text('account_id').notNull(),
    memberRef: text('member_ref').notNull(),
    siteName: text('site_name').notNull(),
    serviceAccountId: text('service_account_id'),
    entitlements: jsonb('entitlements').$type<{ offeringCode: string; quantity: number }[]>().notNull(),
    slas: jsonb('slas').$type<Sla[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('service_contracts_site_uq').on(t.quoteId, t.memberRef)],
);

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    quoteId: text('quote_id').notNull().unique(),
    quoteVersion: integer('quote_version').notNull(),
    accountId: text('account_id').notNull(),
    state: text('state').notNull(),
    catalogVersion: text('catalog_version').notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    requestedCompletionDate: timestamp('requested_completion_date'),
    /** The requested date when given, else the planned completion. */
    dueDate: timestamp('due_date'),
    /** The end of the critical path through the catalog's planned durations. */
    plannedCompletionDate: timestamp('planned_completion_date'),
    jeopardy: text('jeopardy', { enum: ['green', 'yellow', 'red'] })
      .notNull()
      .default('green'),
    /** Why the order ended as it did (for example the reasons an order was rejected). */
    stateReasons: jsonb('state_reasons').$type<{ check: string; subject: string; reason: string }[]>(),
    completedAt: timestamp('completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('orders_account_idx').on(t.accountId), index('orders_state_idx').on(t.state)],
);

export const subOrders = pgTable(
  'sub_orders',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    /** The quote member it serves; null for the business account's own sub-order. */
    memberRef: text('member_ref'),
    name: text('name').notNull(),
    serviceAccountId: text('service_account_id').notNull(),
    state: text('state').notNull(),
    dueDate: timestamp('due_date'),
    updatedAt: updatedAt(),
  },
  (t) => [index('sub_orders_order_idx').on(t.orderId)],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    subOrderId: text('sub_order_id').notNull(),
    quoteLineNo: integer('quote_line_no').notNull(),
    offeringCode: text('offering_code').notNull(),
    quantity: integer('quantity').notNull(),
    recurringNet: money('recurring_net').notNull(),
    oneOffNet: money('one_off_net').notNull(),
    /** Configuration of the item (bandwidth, routing type...): what its api tasks send downstream. */
    characteristics: jsonb('characteristics').$type<Record<string, unknown>>().notNull().default({}),
    /** `removed` by an amendment; the row stays, as the superseded version of the order reads it. */
    status: text('status', { enum: ['active', 'removed'] })
      .notNull()
      .default('active'),
    /** 1 as ordered; one more for each amendment that changed it. */
    version: integer('version').notNull().default(1),
    /** The amendment that added it, if any. */
    amendmentId: text('amendment_id'),
  },
  (t) => [index('order_items_order_idx').on(t.orderId)],
);

/**
 * A supplemental order: the changes an amendment made to a running order, with the items as they were
 * before it (the superseded version, kept readable) and what it did to the plan.
 */
export const orderAmendments = pgTable(
  'order_amendments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    sequence: integer('sequence').notNull(),
    /**
     * `quoted`: a commercial change waiting for its change quote to be signed; `inProgress` once applied to
     * the order, `completed` when the order has done it; `refused` when the order could no longer take a
     * signed change (the reason in `effects`).
     */
    state: text('state', { enum: ['quoted', 'inProgress', 'completed', 'refused'] }).notNull(),
    /** The change quote that prices a commercial change; null for a direct (non-commercial) one. */
    changeQuoteId: text('change_quote_id'),
    changes: jsonb('changes').notNull(),
    before: jsonb('before').notNull(),
    effects: jsonb('effects'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('order_amendments_sequence_uq').on(t.orderId, t.sequence)],
);

export const domainOrders = pgTable(
  'domain_orders',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    subOrderId: text('sub_order_id').notNull(),
    /** The order items whose offerings include this specification in the sub-order. */
    orderItemIds: text('order_item_ids').array().notNull(),
    specCode: text('spec_code').notNull(),
    domain: text('domain').notNull(),
    state: text('state').notNull(),
    dependsOn: text('depends_on')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    dueDate: timestamp('due_date'),
    jeopardy: text('jeopardy', { enum: ['green', 'yellow', 'red'] })
      .notNull()
      .default('green'),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('domain_orders_order_idx').on(t.orderId),
    index('domain_orders_sub_order_idx').on(t.subOrderId),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    domainOrderId: text('domain_order_id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['api', 'manual', 'field', 'project'] }).notNull(),
    state: text('state').notNull(),
    jeopardy: text('jeopardy', { enum: ['green', 'yellow', 'red'] })
      .notNull()
      .default('green'),
    dependsOn: text('depends_on')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The throttle lane: the task waits until these have finished, whatever their outcome. */
    throttledAfter: text('throttled_after')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Other domain orders waiting on this task, told when it finishes. */
    notifies: text('notifies')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    system: text('system'),
    pointOfNoReturn: boolean('point_of_no_return').notNull().default(false),
    plannedMinutes: integer('planned_minutes').notNull(),
    plannedStart: timestamp('planned_start'),
    dueDate: timestamp('due_date'),
    attempts: integer('attempts').notNull().default(0),
    startedAt: timestamp('started_at'),
    completedAt: timestamp('completed_at'),
    completedBy: text('completed_by'),
    result: jsonb('result'),
    note: text('note'),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('tasks_order_idx').on(t.orderId),
    index('tasks_domain_order_idx').on(t.domainOrderId),
    index('tasks_state_idx').on(t.state),
  ],
);

/** TMF637 product inventory: created inactive when the order is approved, active once fulfilled. */
export const productInventory = pgTable(
  'product_inventory',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    orderItemId: text('order_item_id').notNull().unique(),
    accountId: text('account_id').notNull(),
    serviceAccountId: text('service_account_id').notNull(),
    offeringCode: text('offering_code').notNull(),
    state: text('state').notNull(),
    createdAt: createdAt(),
    activatedAt: timestamp('activated_at'),
    billingStartedAt: timestamp('billing_started_at'),
  },
  (t) => [index('product_inventory_account_idx').on(t.accountId)],
);

/** TMF638 service inventory: one service per completed domain order, active once the order completes. */
export const serviceInventory = pgTable(
  'service_inventory',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    domainOrderId: text('domain_order_id').notNull().unique(),
    accountId: text('account_id').notNull(),
    serviceAccountId: text('service_account_id').notNull(),
    specCode: text('spec_code').notNull(),
    domain: text('domain').notNull(),
    /** The product inventory records the service realises. */
    productInventoryIds: text('product_inventory_ids').array().notNull(),
    state: text('state', { enum: ['reserved', 'inactive', 'active', 'terminated'] }).notNull(),
    characteristics: jsonb('characteristics').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('service_inventory_account_idx').on(t.accountId)],
);

/**
 * CMDB configuration items: one per service, with its relations to the customer (business account), the
 * site (service account), the product it belongs to and the service it realises.
 */
export const configurationItems = pgTable(
  'configuration_items',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    ciClass: text('ci_class').notNull(),
    name: text('name').notNull(),
    customerAccountId: text('customer_account_id').notNull(),
    siteAccountId: text('site_account_id').notNull(),
    productInventoryIds: text('product_inventory_ids').array().notNull(),
    serviceInventoryId: text('service_inventory_id').notNull().unique(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('configuration_items_customer_idx').on(t.customerAccountId)],
);

/**
 * Every state change of every entity, oldest first by `id`. `eventKey` is derived from the workflow and
 * the step that made the change, so an activity retried after a crash records it once.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventKey: text('event_key').notNull().unique(),
    orderId: text('order_id'),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    /** Who made the change: the caller's subject for an API call, the workflow ID for the engine's own. */
    actor: text('actor').notNull(),
    /** The role the caller acted under; null for the engine. */
    actorRole: text('actor_role'),
    details: jsonb('details'),
    at: timestamp('at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('audit_events_order_idx').on(t.orderId), index('audit_events_entity_idx').on(t.entityId)],
);

/**
 * A fall-out case: a task that could not go on by itself (retries spent, reported failed), worked by an
 * assignment group until an action resolves it. Its workflow is `fallout:<id>`.
 */
export const falloutCases = pgTable(
  'fallout_cases',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    domainOrderId: text('domain_order_id').notNull(),
    taskId: text('task_id').notNull(),
    type: text('type', { enum: falloutTypes }).notNull(),
    priority: text('priority', { enum: ['critical', 'high', 'medium', 'low'] }).notNull(),
    assignmentGroup: text('assignment_group').notNull(),
    /** How many times the case moved up to the next assignment group. */
    escalations: integer('escalations').notNull().default(0),
    state: text('state', { enum: falloutCaseStates }).notNull(),
    reason: text('reason').notNull(),
    resolution: jsonb('resolution').$type<{ action: string; by: string; note?: string; data?: unknown }>(),
    openedAt: createdAt(),
    resolvedAt: timestamp('resolved_at'),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('fallout_cases_order_idx').on(t.orderId),
    index('fallout_cases_state_idx').on(t.state),
    index('fallout_cases_task_idx').on(t.taskId),
  ],
);

/** Downstream systems the simulator has been told are offline (a row per system ever marked). */
export const simulatorSystems = pgTable('simulator_systems', {
  system: text('system').primaryKey(),
  offline: boolean('offline').notNull(),
  since: timestamp('since')
    .notNull()
    .default(sql`now()`),
});

/** Calls the built-in downstream simulator has served, one per idempotency key. */
export const simulatorCalls = pgTable('simulator_calls', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  system: text('system').notNull(),
  operation: text('operation').notNull(),
  taskCode: text('task_code'),
  response: jsonb('response').notNull(),
  at: timestamp('at')
    .notNull()
    .default(sql`now()`),
});

/** Faults requested through `POST /simulator/faults`: the next `remaining` runs of `taskCode` fail. */
export const simulatorFaults = pgTable(
  'simulator_faults',
  {
    taskCode: text('task_code').notNull(),
    /** The customer whose calls fail; '' for every customer. */
    accountId: text('account_id').notNull().default(''),
    mode: text('mode', { enum: ['error', 'timeout', 'refuse'] }).notNull(),
    remaining: integer('remaining').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskCode, t.accountId] })],
);

/** TMF622 notes on a product order (`note[]`): given at creation or added by `PATCH /productOrder/{id}`. */
export const productOrderNotes = pgTable(
  'product_order_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: text('order_id').notNull(),
    text: text('text').notNull(),
    /** The note's author as the caller sent it, else the caller's subject. */
    author: text('author').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('product_order_notes_order_idx').on(t.orderId)],
);

/**
 * A TMF622 `cancelProductOrder` task: `acknowledged` when asked, `inProgress` once the order accepted the
 * cancellation, `done` when the order is `cancelled`, `terminatedWithError` with the refusal's reason.
 */
export const cancelProductOrders = pgTable(
  'cancel_product_orders',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    state: text('state', { enum: ['acknowledged', 'inProgress', 'done', 'terminatedWithError'] }).notNull(),
    cancellationReason: text('cancellation_reason'),
    requestedCancellationDate: timestamp('requested_cancellation_date'),
    effectiveCancellationDate: timestamp('effective_cancellation_date'),
    /** Why the order refused or failed the cancellation (a point of no return, a final state). */
    errorMessage: text('error_message'),
    requestedBy: text('requested_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('cancel_product_orders_order_idx').on(t.orderId)],
);

/**
 * The TMF event outbox: each event written in the transaction of the change it reports, numbered in the
 * order of commit (`seq`), delivered to each subscription in that order (`tmf_hub_subscriptions.cursor`).
 */
export const tmfEvents = pgTable(
  'tmf_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull().unique(),
    eventType: text('event_type').notNull(),
    /** The API whose hub sends it (`HubApi`): TMF622's `productOrderingManagement`, or a read API's. */
    api: text('api').notNull().default('productOrderingManagement'),
    orderId: text('order_id').notNull(),
    /** What was true when it happened (`RecordedEvent` of domain/tmf-events.ts). */
    facts: jsonb('facts').notNull(),
    eventTime: createdAt(),
  },
  (t) => [index('tmf_events_order_idx').on(t.orderId), index('tmf_events_api_idx').on(t.api, t.seq)],
);

/** A listener's subscription (`POST /hub`), and how far its deliveries have come. */
export const tmfHubSubscriptions = pgTable(
  'tmf_hub_subscriptions',
  {
    id: text('id').primaryKey(),
    /** The API whose hub it subscribed to (`HubApi`); it gets that API's events only. */
    api: text('api').notNull().default('productOrderingManagement'),
    callback: text('callback').notNull(),
    query: text('query'),
    /** The Standard Webhooks secret (`whsec_…`) the deliveries are signed with. */
    secret: text('secret').notNull(),
    state: text('state', { enum: ['active', 'failing'] })
      .notNull()
      .default('active'),
    /** The `seq` of the last event delivered or passed over; the next delivery is the first after it. */
    cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
    failingSince: timestamp('failing_since'),
    lastDeliveredAt: timestamp('last_delivered_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('tmf_hub_subscriptions_api_idx').on(t.api)],
);
