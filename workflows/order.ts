import { condition, continueAsNew, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import {
  defaultFulfilmentSettings,
  falloutChangedSignal,
  jeopardySignal,
  workflowId,
  type OrderCarry,
  type OrderInput,
} from './contracts';
import { FulfilmentNode } from './fulfilment-node';
import { childSearchAttributes, itemStateOf } from './shared';
import { subOrder } from './sub-order';

/**
 * The primary order (stages 5 to 9): order approval (credit and feasibility), product inventory created
 * inactive, decomposition, then its sub-orders in a sliding window of at most `maxSubOrdersInFlight`
 * children, in an order where none waits on one not yet started. When its history grows past
 * `historyLimit` it lets the running sub-orders finish and continues as new with what it has counted.
 * Closure is bottom-up: the order closes after its last sub-order, activating its inventory.
 */
export async function order(input: OrderInput): Promise<OrderState> {
  const { orderId, customerId } = input;
  const settings = input.settings ?? defaultFulfilmentSettings;
  const node = new FulfilmentNode<OrderState>('order', orderId, 'acknowledged', {
    name: `Order **${orderId}** for customer ${customerId}`,
    children: 'sub-orders',
  });
  setHandler(jeopardySignal, ({ level }) => void node.raiseJeopardy(level));
  setHandler(falloutChangedSignal, ({ delta }) => node.countFallouts(delta));

  let carry: OrderCarry;
  if (input.carry) {
    carry = input.carry;
    node.raiseJeopardy(carry.jeopardy);
    node.countFallouts(carry.falloutsOpen);
    node.show('inProgress');
  } else {
    const refusals = await withSummary(
      'approveOrder',
      'Order approval: credit and feasibility checks',
      orderId,
    );
    if (refusals.length > 0) {
      await withSummary(
        'rejectOrder',
        `Reject the order: ${refusals.length} check(s) refused`,
        orderId,
        refusals,
      );
      node.show('rejected');
      return 'rejected';
    }
    await withSummary(
      'createProductInventory',
      'Create product inventory (inactive) for every item',
      orderId,
    );
    const plan = await withSummary(
      'decomposeOrder',
      'Decompose the order into domain orders and tasks',
      orderId,
      settings.minuteMs,
    );
    carry = { subOrderIds: plan.subOrderIds, next: 0, outcomes: {}, jeopardy: 'green', falloutsOpen: 0 };
    await node.move('inProgress');
  }
  const { subOrderIds, outcomes } = carry;
  node.progress.total = subOrderIds.length;
  node.progress.completed = outcomes.completed ?? 0;
  node.progress.failed = Object.values(outcomes).reduce((a, b) => a + b, 0) - node.progress.completed;
  node.report();

  const runSubOrder = async (subOrderId: string) => {
    let outcome: string;
    try {
      outcome = await node.track(
        () =>
          executeChild(subOrder, {
            workflowId: workflowId.subOrder(subOrderId),
            args: [{ subOrderId, orderId, customerId, settings }],
            staticSummary: `Sub-order ${subOrderId} of order ${orderId}`,
            typedSearchAttributes: childSearchAttributes(orderId, customerId, 'acknowledged'),
          }),
        (result) => result === 'completed',
      );
    } catch {
      outcome = 'failed';
    }
    const counted = itemStateOf(outcome);
    outcomes[counted] = (outcomes[counted] ?? 0) + 1;
  };

  const running = () => node.progress.running;
  while (carry.next < subOrderIds.length) {
    await condition(() => running() < settings.maxSubOrdersInFlight);
    if (workflowInfo().historyLength > settings.historyLimit || workflowInfo().continueAsNewSuggested) {
      await condition(() => running() === 0);
      await continueAsNew<typeof order>({
        ...input,
        carry: { ...carry, jeopardy: node.jeopardy, falloutsOpen: node.falloutsOpen },
      });
    }
    void runSubOrder(subOrderIds[carry.next++]);
  }
  await condition(() => running() === 0);

  const states = Object.entries(outcomes).flatMap(([state, n]) => Array<string>(n).fill(state));
  const final = rollUp(states.map(itemStateOf)) as OrderState;
  // Closing records the final state itself, with inventory, services, CMDB and billing, in one activity.
  await withSummary('closeOrder', `Close the order as ${final}`, orderId, final);
  node.show(final);
  return final;
}
