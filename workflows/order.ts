import {
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { rollUp, type OrderState as OrderStateValue } from '../domain/states';
import { activities, withSummary } from './activity-proxies';
import { statusQuery, workflowId, type OrderInput, type Progress } from './contracts';
import { Semaphore } from './dag';
import { OrderState, State } from './search-attributes';
import { childSearchAttributes, itemStateOf } from './shared';
import { subOrder } from './sub-order';

/** Most sub-orders (sites) in flight at once, so no workflow holds more than this many pending children. */
const MAX_SUB_ORDERS_IN_FLIGHT = 200;

/**
 * The primary order: product inventory created inactive, decomposition, sub-orders fulfilled, then
 * closure bottom-up and the inventory activated.
 */
export async function order({ orderId, customerId }: OrderInput): Promise<OrderStateValue> {
  let state: OrderStateValue = 'acknowledged';
  const progress: Progress = { total: 0, completed: 0, failed: 0, running: 0 };
  setHandler(statusQuery, () => ({ id: orderId, state, progress }));
  const report = () =>
    setCurrentDetails(
      `Order **${orderId}** for customer ${customerId} is \`${state}\`: ${progress.completed}/${progress.total} sub-orders completed, ${progress.running} running, ${progress.failed} failed.`,
    );
  const show = (to: OrderStateValue) => {
    state = to;
    upsertSearchAttributes([
      { key: OrderState, value: to },
      { key: State, value: to },
    ]);
    report();
  };
  report();

  await withSummary('createProductInventory', 'Create product inventory (inactive) for every item', orderId);
  const plan = await withSummary(
    'decomposeOrder',
    'Decompose the order into domain orders and tasks',
    orderId,
  );
  progress.total = plan.subOrderIds.length;
  await activities.recordTransition({
    entity: 'order',
    id: orderId,
    to: 'inProgress',
    eventKey: `${workflowInfo().workflowId}:inProgress`,
    actor: 'order-workflow',
  });
  show('inProgress');

  const semaphore = new Semaphore(MAX_SUB_ORDERS_IN_FLIGHT);
  const results = await Promise.all(
    plan.subOrderIds.map((subOrderId) =>
      semaphore.with(async () => {
        progress.running++;
        report();
        const result = await executeChild(subOrder, {
          workflowId: workflowId.subOrder(subOrderId),
          args: [{ subOrderId, orderId, customerId }],
          staticSummary: `Sub-order ${subOrderId} of order ${orderId}`,
          typedSearchAttributes: childSearchAttributes(orderId, customerId, 'acknowledged'),
        });
        progress.running--;
        if (result === 'completed') progress.completed++;
        else progress.failed++;
        report();
        return result;
      }),
    ),
  );

  const final = rollUp(results.map(itemStateOf)) as OrderStateValue;
  await withSummary('closeOrder', `Close the order as ${final}`, orderId, final);
  show(final);
  return final;
}
