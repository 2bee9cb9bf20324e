import { z } from 'zod';
import { approvalRoles, approvalRules } from '../../domain/approval-policy';
import { id, memberSchema, ref, timestamp } from './common';
import { NO_NUL_NOT_BLANK_PATTERN } from '../input-guards';

const groupSchema = z.strictObject({
  ref,
  name: z.string().max(200).trim().min(1),
  memberRefs: z.array(ref),
});
const appliesToSchema = z.union([z.strictObject({ member: ref }), z.strictObject({ group: ref })]);
const itemSchema = z.strictObject({
  offeringCode: z.string().max(100).trim().min(1),
  quantity: z.number().int().positive().max(10_000).default(1),
  /** In percent; absent: the sales agreement's default negotiated discount, or none. */
  discountPct: z.number().min(0).max(100).optional(),
  priceOverride: z.number().min(0).optional(),
  appliesTo: appliesToSchema.optional(),
});

/** The most members (sites, subscribers) a quote version holds: a nationwide enterprise estate. */
export const maxQuoteMembers = 10_000;

const quoteFields = {
  accountId: id,
  opportunityId: id.optional(),
  agreementId: id.optional(),
  members: z.array(memberSchema).max(maxQuoteMembers),
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

export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  /** The approval role the caller decides under; one their token holds. The awaited one when absent. */
  role: z.enum(approvalRoles).optional(),
  comment: z.string().max(2000).optional(),
  /** The version decided on; the current one when absent. A superseded version is refused with 409. */
  version: z.number().int().positive().optional(),
});
export type DecisionBody = z.infer<typeof decisionBody>;

/** `POST /quotes/:id/members`: the file replaces the members and groups, or is merged into them. */
export const membersQuery = z.strictObject({ mode: z.enum(['replace', 'merge']).default('replace') });
export type MembersQuery = z.infer<typeof membersQuery>;
/** The CSV itself (`text/csv`); a multipart upload carries it as its one file instead. */
export const membersCsvBody = z
  .string()
  .max(10 * 1024 * 1024)
  // A multipart request has no body of its own (null): its file is read by the route.
  .nullish()
  .describe('ref,kind,name,address,group: one member a row, after a header row');
/** How the document shows that body: the CSV text, or a form whose one part `file` is the CSV. */
export const membersBodyByMediaType = {
  'text/csv': {
    type: 'string',
    minLength: 1,
    maxLength: 10 * 1024 * 1024,
    // Not blank, no NUL (api/input-guards.ts refuses one anywhere in a body).
    pattern: NO_NUL_NOT_BLANK_PATTERN,
    description: 'ref,kind,name,address,group: a header row, then one member a row',
  },
  'multipart/form-data': {
    type: 'object',
    required: ['file'],
    additionalProperties: false,
    properties: { file: { type: 'string', format: 'binary', description: 'the CSV file' } },
  },
};

export const acceptBody = z.strictObject({
  signedBy: z.string().max(200).trim().min(1),
  /**
   * The SHA-256 (hex) of the proposal PDF the customer signed: when given it must be the current version's,
   * else 422. The sales contract records the current version's hash either way.
   */
  documentSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex')
    .optional(),
});
export type AcceptBody = z.infer<typeof acceptBody>;

const approvalRole = z.enum(approvalRoles);
/** A submitted version's approval: its levels and why, whose decision it awaits and until when, what happened. */
export const versionApproval = z.object({
  levelsRequired: z.array(z.string()),
  rule: z.enum(approvalRules),
  reason: z.string(),
  maxDiscountPct: z.number(),
  agreementMaxDiscountPct: z.number().nullable(),
  awaiting: approvalRole.nullable(),
  awaitingSince: timestamp,
  decisionDue: timestamp,
  decisions: z.array(
    z.object({
      role: z.string(),
      decision: z.enum(['approve', 'reject']),
      approver: z.string().optional(),
      comment: z.string().optional(),
      at: z.string(),
    }),
  ),
  escalations: z.array(z.object({ from: z.string(), to: z.string(), at: z.string() })),
  submittedAt: z.string(),
});

export const proposalParams = z.object({
  id,
  version: z.coerce.number().int().positive().max(2_147_483_647),
});
export const proposalPdf = z.any().describe('application/pdf');
export const proposalHtml = z.string().describe('text/html');

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
      approval: versionApproval.nullable(),
      /** Each location's feasibility check for the offers applied to it, made when the version was submitted. */
      feasibility: z.array(
        z.object({
          memberRef: z.string(),
          siteName: z.string(),
          offerings: z.array(z.string()),
          feasible: z.boolean(),
          reason: z.string().nullable(),
          reference: z.string(),
          checkedAt: z.string(),
        }),
      ),
    }),
  ),
  salesContract: z
    .looseObject({ id: z.string(), signedBy: z.string(), documentSha256: z.string().nullable() })
    .nullable(),
  approval: z.unknown().optional(),
});
