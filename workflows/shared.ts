import { TypedSearchAttributes } from '@temporalio/common';
import { activities } from './activity-proxies';
import type { NodeOutcome } from './dag';
import { CustomerId, Domain, OrderId, State } from './search-attributes';

/** Search attributes every child workflow of an order starts with. */
export function childSearchAttributes(
  orderId: string,
  customerId: string,
  state: string,
  domain?: string,
): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: OrderId, value: orderId },
    { key: CustomerId, value: customerId },
    { key: State, value: state },
    ...(domain ? [{ key: Domain, value: domain }] : []),
  ]);
}

/** How a child's outcome counts in the roll-up: a child that never ran because a dependency failed has failed. */
export function itemStateOf(
  outcome: NodeOutcome | string,
): 'completed' | 'failed' | 'cancelled' | 'skipped' | 'moving' {
  switch (outcome) {
    case 'completed':
      return 'completed';
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** Records as `cancelled` every child that never ran because something it depends on did not complete. */
export async function cancelNotRun(
  entity: 'task' | 'domainOrder',
  outcomes: Map<string, NodeOutcome>,
  actor: string,
): Promise<void> {
  for (const [id, outcome] of outcomes) {
    if (outcome !== 'notRun') continue;
    await activities.recordTransition({
      entity,
      id,
      to: 'cancelled',
      eventKey: `${entity}:${id}:not-run`,
      actor,
      details: { reason: 'something it depends on did not complete' },
    });
  }
}
