import { executeChild } from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import { workflowId, type OrderInput } from './contracts';
import { Semaphore } from './dag';
import { FulfilmentNode } from './fulfilment-node';
import { childSearchAttributes, itemStateOf } from './shared';
import { subOrder } from './sub-order';

/** Most sub-orders (sites) in flight at once, so no workflow holds more than this many pending children. */
const MAX_SUB_ORDERS_IN_FLIGHT = 200;

/**
 * The primary order: product inventory created inactive, decomposition, sub-orders fulfilled, then
 * closure bottom-up and the inventory activated.
 */
export async function order({ orderId, customerId }: OrderInput): Promise<OrderState> {
  const node = new FulfilmentNode<OrderState>('order', orderId, 'acknowledged', {
    name: `Order **${orderId}** for customer ${customerId}`,
    children: 'sub-orders',
  });

  await withSummary('createProductInventory', 'Create product inventory (inactive) for every item', orderId);
  const plan = await withSummary(
    'decomposeOrder',
    'Decompose the order into domain orders and tasks',
    orderId,
  );
  node.progress.total = plan.subOrderIds.length;
  await node.move('inProgress');

  const semaphore = new Semaphore(MAX_SUB_ORDERS_IN_FLIGHT);
  const results = await Promise.all(
    plan.subOrderIds.map((subOrderId) =>
      semaphore.with(() =>
        node.track(
          () =>
            executeChild(subOrder, {
              workflowId: workflowId.subOrder(subOrderId),
              args: [{ subOrderId, orderId, customerId }],
              staticSummary: `Sub-order ${subOrderId} of order ${orderId}`,
              typedSearchAttributes: childSearchAttributes(orderId, customerId, 'acknowledged'),
            }),
          (result) => result === 'completed',
        ),
      ),
    ),
  );

  const final = rollUp(results.map(itemStateOf)) as OrderState;
  // Closing records the final state itself, with the inventory activation, in one activity.
  await withSummary('closeOrder', `Close the order as ${final}`, orderId, final);
  node.show(final);
  return final;
}
