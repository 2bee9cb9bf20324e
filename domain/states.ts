/** States aligned with TM Forum Open APIs (see DESIGN.md). */
export const quoteStates = [
  'inProgress',
  'pending',
  'approved',
  'accepted',
  'rejected',
  'cancelled',
  'expired',
  'superseded',
] as const;
export type QuoteState = (typeof quoteStates)[number];

export const orderStates = [
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
export type OrderState = (typeof orderStates)[number];

export const domainOrderStates = [
  'acknowledged',
  'inProgress',
  'held',
  'completed',
  'failed',
  'partial',
  'cancelled',
] as const;
export type DomainOrderState = (typeof domainOrderStates)[number];

export const taskStates = [
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
export type TaskState = (typeof taskStates)[number];

export const productInventoryStates = [
  'created',
  'pendingActive',
  'active',
  'suspended',
  'terminated',
  'cancelled',
] as const;
export type ProductInventoryState = (typeof productInventoryStates)[number];

/** A fall-out case: `open` until someone takes it, `onHold` while it waits on someone else (no escalation). */
export const falloutCaseStates = ['open', 'inProgress', 'onHold', 'resolved', 'cancelled'] as const;
export type FalloutCaseState = (typeof falloutCaseStates)[number];

type ItemState = 'completed' | 'failed' | 'cancelled' | 'skipped' | 'held' | 'moving';

/**
 * The roll-up rule of DESIGN.md for an order, sub-order or domain order from its children: `inProgress`
 * while any child moves, `held` only when nothing can move, `partial` when every child is final and some
 * failed while others completed, `completed` when all completed (a skipped task counts as done).
 */
export function rollUp(
  children: ItemState[],
): 'inProgress' | 'held' | 'completed' | 'failed' | 'partial' | 'cancelled' {
  if (children.some((c) => c === 'moving')) return 'inProgress';
  if (children.some((c) => c === 'held')) return 'held';
  const done = children.filter((c) => c === 'completed' || c === 'skipped').length;
  const failed = children.filter((c) => c === 'failed').length;
  if (children.length > 0 && children.every((c) => c === 'cancelled')) return 'cancelled';
  if (failed === 0) return 'completed';
  return done > 0 ? 'partial' : 'failed';
}
