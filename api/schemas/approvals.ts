import { z } from 'zod';
import { approvalRoles } from '../../domain/approval-policy';
import { timestamp } from './common';
import { versionApproval } from './quotes';

export const approvalsQuery = z.strictObject({
  /** `pending`: what waits for the caller's approval roles; `decided`: what the caller has decided. */
  state: z.enum(['pending', 'decided']).default('pending'),
});
export type ApprovalsQuery = z.infer<typeof approvalsQuery>;

/** One approval in an approver's inbox: the quote version, what it waits for, and what is at stake. */
export const approvalEntry = z.object({
  quoteId: z.string(),
  version: z.number().int(),
  state: z.string(),
  accountId: z.string(),
  customer: z.string(),
  awaiting: z.enum(approvalRoles).nullable(),
  awaitingSince: timestamp,
  decisionDue: timestamp,
  levelsRequired: z.array(z.string()),
  rule: z.string(),
  reason: z.string(),
  currency: z.string(),
  recurringTotal: z.number(),
  oneOffTotal: z.number(),
  /** The largest discount of the version's lines, in percent. */
  maxDiscountPct: z.number(),
  agreementMaxDiscountPct: z.number().nullable(),
  /** Who made the version (four-eyes: never the one who approves it). */
  createdBy: z.string().nullable(),
  decisions: versionApproval.shape.decisions,
  escalations: versionApproval.shape.escalations,
  validUntil: timestamp,
});
export const approvalsResponse = z.object({ approvals: z.array(approvalEntry) });
