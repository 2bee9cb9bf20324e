import { TypedSearchAttributes } from '@temporalio/common';
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
