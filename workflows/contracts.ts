// Over 250 lines on purpose: every workflow contract and boundary type, written once in one file.
/**
 * Contracts of every workflow: IDs, inputs, signals, queries and updates, and what activities and
 * workflows hand each other. Imported by the workflows, the activities, the API and the tests alike, so a
 * name is written once.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRole } from '../domain/approval-policy';
import type { TaskKind } from '../catalog/schema';
import type { FalloutAction, FalloutPriority, FalloutType } from '../domain/fallout-policy';
import type { DomainOrderState, FalloutCaseState, OrderState, QuoteState, TaskState } from '../domain/states';

export const workflowId = {
  quoteApproval: (quoteId: string, version: number) => `quote-approval:${quoteId}:v${version}`,
  order: (orderId: string) => `order:${orderId}`,
  subOrder: (subOrderId: string) => `sub-order:${subOrderId}`,
  domainOrder: (domainOrderId: string) => `domain-order:${domainOrderId}`,
  task: (taskId: string) => `task:${taskId}`,
  project: (taskId: string) => `project:${taskId}`,
  fallout: (caseId: string) => `fallout:${caseId}`,
  hubDelivery: (subscriptionId: string) => `hub:${subscriptionId}`,
};

// ---- TMF event hub ---------------------------------------------------------------------------------
/** How one subscription's deliveries retry (`HUB_*` settings; the tests shorten them). */
export interface HubDeliverySettings {
  /** How long one event is retried, with backoff, before the subscription is marked failing (24 h). */
  retryWindowMs: number;
  /** The longest wait between two attempts within the window (5 minutes). */
  maxRetryIntervalMs: number;
  /** Once failing, how often the event is tried again until the listener takes it (10 minutes). */
  failingRetryMs: number;
  /** How long one poll for new events waits before the workflow polls again (30 s). */
  pollMs: number;
}
export const defaultHubDeliverySettings: HubDeliverySettings = {
  retryWindowMs: 24 * 3600_000,
  maxRetryIntervalMs: 5 * 60_000,
  failingRetryMs: 10 * 60_000,
  pollMs: 30_000,
};
export interface HubDeliveryInput {
  subscriptionId: string;
  settings: HubDeliverySettings;
}

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
  /** Who made this version (token subject): four-eyes bars them from approving it. */
  author?: string;
}
export interface QuoteApprovalStatus {
  quoteId: string;
  version: number;
  state: QuoteState;
  approvalsRequired: ApprovalRole[];
  /** The role whose decision is awaited, if any. */
  awaiting?: ApprovalRole;
  decisions: { role: ApprovalRole; decision: 'approve' | 'reject'; approver?: string; comment?: string }[];
  escalations: { from: ApprovalRole; to: ApprovalRole }[];
  /** When the awaited level escalates to the one above (ISO date); absent for the top level. */
  decisionDue?: string;
  superseded: boolean;
  supersededBy?: number;
  salesContractId?: string;
  serviceContractIds?: string[];
}
export interface QuoteDecision {
  decision: 'approve' | 'reject';
  /** The level decided; the awaited one when absent. */
  role?: ApprovalRole;
  /** The approver's subject, from their token; what the audit trail records. */
  approver?: string;
  /** The approval roles the approver's token holds: none of them awaited is a refusal (`Forbidden`). */
  heldRoles?: ApprovalRole[];
  comment?: string;
}
/** A decision as the workflow records it: its level settled. */
export type RecordedDecision = QuoteDecision & { role: ApprovalRole };
/**
 * What an approval waits for next, as the workflow tells its activities: the awaited level and, below the
 * top level, when it escalates (ISO date). Nothing awaited: decided, or no approval needed.
 */
export interface ApprovalWait {
  awaiting?: ApprovalRole;
  decisionDue?: string;
}
export interface QuoteAcceptance {
  /** The customer's signatory. */
  signedBy: string;
  /** Who recorded the signature through the API (token subject and role). */
  recordedBy?: { subject: string; role: string };
  /** The SHA-256 of the proposal document signed; the sales contract keeps it. */
  documentSha256?: string;
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
/** How fulfilment runs; set by the API from its configuration when it starts the order. */
export interface FulfilmentSettings {
  /** How long one planned minute of the catalog lasts on the clock: 60000, shorter in tests and demos. */
  minuteMs: number;
  /** Most sub-orders running at once: no workflow holds more pending children than this. */
  maxSubOrdersInFlight: number;
  /** History length past which the order workflow drains its running sub-orders and continues as new. */
  historyLimit: number;
  /** How long a fall-out case waits for its assignment group before moving to the next one. */
  falloutEscalationMs: number;
}
export const defaultFulfilmentSettings: FulfilmentSettings = {
  minuteMs: 60_000,
  maxSubOrdersInFlight: 200,
  historyLimit: 7_000,
  falloutEscalationMs: 4 * 3600 * 1000,
};
export type JeopardyLevel = 'green' | 'yellow' | 'red';
export const jeopardyLevels: JeopardyLevel[] = ['green', 'yellow', 'red'];

export interface OrderInput {
  orderId: string;
  customerId: string;
  settings?: FulfilmentSettings;
  /** What a continued run takes over from the one before. */
  carry?: OrderCarry;
}
export interface OrderCarry {
  subOrderIds: string[];
  /** How many of `subOrderIds` have been started. */
  next: number;
  /** Finished sub-orders by how they count in the roll-up. */
  outcomes: Record<string, number>;
  jeopardy: JeopardyLevel;
  /** Fall-out cases open under the order. */
  falloutsOpen: number;
  held: boolean;
  /** How many holds, resumes and cancellations the order has seen (each move its own audit key). */
  controls?: number;
}
export interface SubOrderInput {
  subOrderId: string;
  orderId: string;
  customerId: string;
  settings: FulfilmentSettings;
  /** Started with `State` `inProgress` already shown (see `shownInProgressAtStart`): no upsert at its start. */
  shownInProgress?: boolean;
}
export interface DomainOrderInput {
  domainOrderId: string;
  subOrderId: string;
  orderId: string;
  customerId: string;
  domain: string;
  settings: FulfilmentSettings;
  /** Started with `State` `inProgress` already shown (see `shownInProgressAtStart`): no upsert at its start. */
  shownInProgress?: boolean;
}
/** A task of another domain order finished: sent to the domain orders that wait on it. */
export const taskFinishedSignal = defineSignal<[{ taskId: string; outcome: TaskOutcome }]>('taskFinished');
/** A fall-out was resolved with `abort`: sent by its domain order to the order, which then fails. */
export const abortSignal = defineSignal<[{ caseId: string; taskId: string; by: string }]>('abort');
/** A downstream system marked offline is back: sent to the domain orders holding its tasks. */
export const systemBackSignal = defineSignal<[{ system: string }]>('systemBack');
/** A domain order's jeopardy rose: sent to its sub-order and its order. */
export const jeopardySignal = defineSignal<[{ level: JeopardyLevel }]>('jeopardy');
/** What an order's workflows are told from above: hold (dispatch nothing new), resume, cancel. */
export interface Control {
  held: boolean;
  cancelled: boolean;
  /** An amendment removed what a domain order delivers: it stops and undoes its own completed work. */
  retire?: boolean;
}
export const controlSignal = defineSignal<[Control]>('control');
/** The order's own controls, as updates: the caller learns the new state, or why not (409). */
/** Hold, resume or cancel: why, and who asked (token subject and role), which the audit trail records. */
export interface OrderControlRequest {
  reason?: string;
  by?: { subject: string; role: string };
}
export const holdUpdate = defineUpdate<{ state: string }, [OrderControlRequest]>('hold');
export const resumeUpdate = defineUpdate<{ state: string }, [OrderControlRequest]>('resume');
export const cancelUpdate = defineUpdate<{ state: string }, [OrderControlRequest]>('cancel');
export interface AmendmentEffects {
  newSubOrderIds: string[];
  retiredDomainOrderIds: string[];
  removedSubOrderIds: string[];
}
/** Applies a recorded amendment to the running plan; refused (409) once the order is final or closing. */
export const amendUpdate = defineUpdate<AmendmentEffects & { state: string }, [{ amendmentId: string }]>(
  'amend',
);

/** A fall-out case opened (+1) or was resolved (−1) under a domain order: sent to its sub-order and order. */
export const falloutChangedSignal = defineSignal<[{ delta: number }]>('falloutChanged');

// ---- Fall-out ------------------------------------------------------------------------------------
export interface FalloutInput {
  caseId: string;
  taskId: string;
  taskCode: string;
  domainOrderId: string;
  orderId: string;
  customerId: string;
  domain: string;
  type: FalloutType;
  priority: FalloutPriority;
  /** First to last; the case moves one step each time `escalateAfterMs` passes unresolved. */
  assignmentGroups: string[];
  escalateAfterMs: number;
  mandatory: boolean;
  reason: string;
}
export interface FalloutResolution {
  action: FalloutAction;
  by: string;
  note?: string;
  /** For `complete`: what the task would have produced. */
  data?: Record<string, unknown>;
}
export interface FalloutStatus {
  caseId: string;
  taskId: string;
  state: Exclude<FalloutCaseState, 'cancelled'>;
  /** Who took the case, while someone works on it. */
  assignee?: string;
  assignmentGroup: string;
  escalations: number;
  resolution?: FalloutResolution;
}
export const falloutStatusQuery = defineQuery<FalloutStatus>('status');
/** Someone takes the case (`inProgress`), puts it on hold (its escalation clock stops) or releases it. */
export const workUpdate = defineUpdate<
  FalloutStatus,
  [{ action: 'take' | 'hold' | 'release'; by: string; note?: string }]
>('work');
/** Resolves the case; the validator refuses an action that does not fit (409). */
export const resolveUpdate = defineUpdate<FalloutStatus, [FalloutResolution]>('resolve');
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
  jeopardy: JeopardyLevel;
  falloutsOpen: number;
  /** A sub-order's domain orders, a domain order's tasks, ready to start and waiting only for a hold to end. */
  waitingOnHold?: number;
}
export const statusQuery = defineQuery<OrderStatus>('status');

// ---- Task -----------------------------------------------------------------------------------------
export interface TaskInput {
  /** 0 the first time; one more each time a fall-out sends the task round again. */
  round?: number;
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
  state: 'completed' | 'failed' | 'cancelled';
  reason?: string;
}
export type TaskOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface ProjectInput {
  round?: number;
  taskId: string;
  orderId: string;
  customerId: string;
  code: string;
  milestones: string[];
}
export interface ProjectStatus {
  taskId: string;
  state: TaskState;
  reached: string[];
  next?: string;
}
export const projectStatusQuery = defineQuery<ProjectStatus>('status');
export const completeSignal = defineSignal<[TaskCompletion]>('complete');
export const failSignal = defineSignal<[TaskFailure]>('fail');
export const taskStatusQuery = defineQuery<TaskStatus>('status');

// ---- What activities hand the workflows, and take from them (plain JSON) ----------------------------
/** An entity whose state moves are recorded, each with its audit event. */
export type Entity =
  'quote' | 'order' | 'subOrder' | 'domainOrder' | 'task' | 'productInventory' | 'falloutCase';
export interface Transition {
  entity: Entity;
  id: string;
  to: string;
  /** Unique per workflow step (for example `task:<id>:running`), so a retried write records once. */
  eventKey: string;
  /** Who made the change: the caller's subject for an API call, the workflow ID for the engine's own. */
  actor: string;
  /** The role the caller acted under, when a person or a client acted through the API. */
  actorRole?: string;
  details?: Record<string, unknown>;
}

/** A check of order approval that said no (stage 5). */
export interface ApprovalRefusal {
  check: 'credit' | 'feasibility';
  subject: string;
  reason: string;
}

/** The decomposed order, as the order workflow runs it. */
export interface OrderPlan {
  /** In the order to start them. */
  subOrderIds: string[];
  domainOrders: number;
  tasks: number;
  dueDate: string;
}

/** A domain order of a sub-order, with the domain orders of the same sub-order it waits on. */
export interface DomainOrderPlan {
  id: string;
  domain: string;
  specCode: string;
  dependsOn: string[];
}

/** A task as its domain order runs it: the plan's row and what the catalog says of its kind of task. */
export interface TaskPlan {
  id: string;
  code: string;
  kind: TaskKind;
  /** Tasks that must complete first, in this domain order or another. */
  dependsOn: string[];
  /** Throttle lane: tasks that must have finished first, whatever their outcome. */
  throttledAfter: string[];
  /** Other domain orders to tell when this task finishes. */
  notifies: string[];
  plannedMinutes: number;
  retry: { maxAttempts: number; backoffSeconds: number[] };
  milestones: string[];
  system: string | null;
  mandatory: boolean;
  pointOfNoReturn: boolean;
}

export interface DomainOrderStart {
  /** An amendment retired the domain order before it started: nothing to run. */
  retired: boolean;
  tasks: TaskPlan[];
  /** Tasks of other domain orders this one waits on that have already finished. */
  settled: Record<string, TaskOutcome>;
}

/** Completed work to undo when an order is cancelled or aborted, or a domain order retired. */
export interface Compensation {
  taskId: string;
  code: string;
  /** The catalog's compensating action (release a reservation, cancel a carrier order, recall a device...). */
  action: string;
  system: string;
}
