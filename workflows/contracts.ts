/**
 * Contracts of every workflow: IDs, inputs, signals, queries and updates. Imported by the workflows,
 * the API and the tests alike, so a name is written once.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRole } from '../domain/approval-policy';
import type { DomainOrderState, OrderState, QuoteState, TaskState } from '../domain/states';
import type { TaskKind } from '../catalog/schema';

export const workflowId = {
  quoteApproval: (quoteId: string, version: number) => `quote-approval:${quoteId}:v${version}`,
  order: (orderId: string) => `order:${orderId}`,
  subOrder: (subOrderId: string) => `sub-order:${subOrderId}`,
  domainOrder: (domainOrderId: string) => `domain-order:${domainOrderId}`,
  task: (taskId: string) => `task:${taskId}`,
};

// ---- Quote approval -------------------------------------------------------------------------------
export interface QuoteApprovalInput {
  quoteId: string;
  version: number;
  customerId: string;
  maxDiscountPct: number;
  agreementMaxDiscountPct?: number;
  /** ISO date until which the customer may accept. */
  validUntil: string;
  /** How long each approver has before the decision escalates to the manager above. */
  decisionDeadlineSeconds: number;
}
export interface QuoteApprovalStatus {
  quoteId: string;
  version: number;
  state: QuoteState;
  approvalsRequired: ApprovalRole[];
  /** The role whose decision is awaited, if any. */
  awaiting?: ApprovalRole;
  decisions: { role: ApprovalRole; decision: 'approve' | 'reject'; comment?: string }[];
  escalations: { from: ApprovalRole; to: ApprovalRole }[];
  superseded: boolean;
  supersededBy?: number;
  salesContractId?: string;
  serviceContractIds?: string[];
}
export interface QuoteDecision {
  decision: 'approve' | 'reject';
  role: ApprovalRole;
  comment?: string;
}
export interface QuoteAcceptance {
  signedBy: string;
}
export const quoteStatusQuery = defineQuery<QuoteApprovalStatus>('status');
/** Answers once the policy has been applied and recorded: `pending` with the approvals, or `approved`. */
export const submissionUpdate = defineUpdate<QuoteApprovalStatus>('submission');
export const decideUpdate = defineUpdate<QuoteApprovalStatus, [QuoteDecision]>('decide');
export interface QuoteAcceptanceResult {
  salesContractId: string;
  serviceContractIds: string[];
}
export const acceptUpdate = defineUpdate<QuoteAcceptanceResult, [QuoteAcceptance]>('accept');
/** A new version of the quote was made: this version's approval stops. */
export const supersedeSignal = defineSignal<[{ byVersion: number }]>('supersede');

// ---- Order, sub-order, domain order ---------------------------------------------------------------
export interface OrderInput {
  orderId: string;
  customerId: string;
}
export interface SubOrderInput {
  subOrderId: string;
  orderId: string;
  customerId: string;
}
export interface DomainOrderInput {
  domainOrderId: string;
  orderId: string;
  customerId: string;
  domain: string;
}
export interface Progress {
  total: number;
  completed: number;
  failed: number;
  running: number;
}
export interface OrderStatus {
  id: string;
  state: OrderState | DomainOrderState;
  progress: Progress;
}
export const statusQuery = defineQuery<OrderStatus>('status');

// ---- Task -----------------------------------------------------------------------------------------
export interface TaskInput {
  taskId: string;
  orderId: string;
  customerId: string;
  domain: string;
  kind: TaskKind;
  code: string;
  /** From the catalog: attempts and the waits between them, for `api` tasks. */
  retry: { maxAttempts: number; backoffSeconds: number[] };
}
export interface TaskCompletion {
  by: string;
  data?: Record<string, unknown>;
  note?: string;
}
export interface TaskFailure {
  by: string;
  reason: string;
}
export interface TaskStatus {
  taskId: string;
  state: TaskState;
  attempts: number;
}
export interface TaskResult {
  state: 'completed' | 'failed';
  reason?: string;
}
export const completeSignal = defineSignal<[TaskCompletion]>('complete');
export const failSignal = defineSignal<[TaskFailure]>('fail');
export const taskStatusQuery = defineQuery<TaskStatus>('status');
