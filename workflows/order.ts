import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { orderWide, withOptions, withSummary } from './activity-proxies';
import {
  defaultFulfilmentSettings,
  falloutChangedSignal,
  jeopardySignal,
  workflowId,
  type OrderInput,
} from './contracts';
import { FulfilmentNode } from './fulfilment-node';
import { OrderControls } from './order-controls';
import { childStart, SHOWN_IN_PROGRESS_AT_START, compensate, ControlRelay, itemStateOf } from './shared';
import { subOrder } from './sub-order';

/**
 * The primary order (stages 5 to 9): order approval (credit and feasibility), product inventory created
 * inactive, decomposition, then its sub-orders in a sliding window of at most `maxSubOrdersInFlight`
 * children, in an order where none waits on one not yet started. When its history grows past
 * `historyLimit` it lets the running sub-orders finish and continues as new with what it has counted.
 * Closure is bottom-up: the order closes after its last sub-order, activating its inventory.
 *
 * Updates `hold`, `resume`, `cancel` and `amend` (API: `POST /orders/:id/hold`, ...) are handled by
 * `OrderControls` and reach every running sub-order and domain order. A cancellation is assessed first:
 * past a point of no return it is refused and the order goes back to where it was; otherwise the work done
 * is compensated, latest first, and the order closes `cancelled`.
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
  const relay = new ControlRelay();
  const { control } = relay;
  const controls = new OrderControls(orderId, settings, node, relay, input.carry?.controls);

  if (input.carry) {
    const { carry } = input;
    controls.carry = carry;
    node.raiseJeopardy(carry.jeopardy);
    node.countFallouts(carry.falloutsOpen);
    node.show(carry.held ? 'held' : 'inProgress');
    await relay.apply({ held: carry.held });
  } else {
    // Heartbeats between batches of sites: a lost worker's attempt is taken over within seconds, and
    // an order of thousands of sites has time to finish its checks.
    const refusals = await withOptions(
      'approveOrder',
      { summary: 'Order approval: credit and feasibility checks', ...orderWide },
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
    const plan = await withOptions(
      'decomposeOrder',
      { summary: 'Decompose the order into domain orders and tasks', ...orderWide },
      orderId,
      settings.minuteMs,
    );
    controls.carry = {
      subOrderIds: plan.subOrderIds,
      next: 0,
      outcomes: {},
      jeopardy: 'green',
      falloutsOpen: 0,
      held: false,
    };
    await condition(() => node.state === 'acknowledged' || control.cancelled);
    if (!control.cancelled) await node.move('inProgress');
  }
  const carry = controls.carry!;
  const { subOrderIds, outcomes } = carry;
  node.progress.total = subOrderIds.length;
  node.progress.completed = outcomes.completed ?? 0;
  node.progress.failed = Object.values(outcomes).reduce((a, b) => a + b, 0) - node.progress.completed;
  node.report();

  const runSubOrder = async (subOrderId: string) => {
    const start = childStart(orderId, customerId, patched(SHOWN_IN_PROGRESS_AT_START));
    let outcome: string;
    try {
      outcome = await node.track(
        () =>
          relay.child(subOrder, {
            workflowId: workflowId.subOrder(subOrderId),
            args: [
              {
                subOrderId,
                orderId,
                customerId,
                settings,
                ...(start.shownInProgress ? { shownInProgress: true } : {}),
              },
            ],
            staticSummary: `Sub-order ${subOrderId} of order ${orderId}`,
            typedSearchAttributes: start.typedSearchAttributes,
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
  const launchable = () =>
    carry.next < subOrderIds.length && running() < settings.maxSubOrdersInFlight && !control.held;
  const finished = () => carry.next >= subOrderIds.length && running() === 0 && controls.amending === 0;
  for (;;) {
    await condition(() => control.cancelled || (launchable() && controls.amending === 0) || finished());
    if (control.cancelled) break;
    if (finished()) {
      controls.closing = true;
      break;
    }
    if (workflowInfo().historyLength > settings.historyLimit || workflowInfo().continueAsNewSuggested) {
      await condition(() => running() === 0 && allHandlersFinished());
      await continueAsNew<typeof order>({
        ...input,
        carry: {
          ...carry,
          jeopardy: node.jeopardy,
          falloutsOpen: node.falloutsOpen,
          held: control.held,
          controls: controls.moves,
        },
      });
    }
    void runSubOrder(subOrderIds[carry.next++]);
  }
  await condition(() => running() === 0);
  controls.closing = true;

  if (controls.aborted) {
    // A fall-out was aborted: the sub-orders that did not complete are compensated; what completed stays.
    const abort = controls.aborted;
    const final: OrderState = (outcomes.completed ?? 0) > 0 ? 'partial' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      const plan = await withSummary(
        'compensationPlan',
        'List the completed work of the sub-orders that did not complete, latest first',
        orderId,
        true,
      );
      await compensate(plan, customerId);
      await withOptions(
        'closeOrder',
        { summary: `Close the aborted order as ${final}`, ...orderWide },
        orderId,
        final,
        {
          abortedBy: abort.by,
          falloutCase: abort.caseId,
          compensations: plan.length,
        },
      );
    });
    node.show(final);
    return final;
  }

  if (control.cancelled) {
    // Compensation runs to its end whatever else is asked of the order meanwhile.
    await CancellationScope.nonCancellable(async () => {
      await condition(allHandlersFinished);
      const plan = await withSummary(
        'compensationPlan',
        'List the completed work to undo, latest first',
        orderId,
      );
      await compensate(plan, customerId);
      await withOptions(
        'closeCancelled',
        { summary: `Close the order as cancelled (${plan.length} compensations)`, ...orderWide },
        orderId,
        controls.cancelReason,
      );
    });
    node.show('cancelled');
    return 'cancelled';
  }

  const states = Object.entries(outcomes).flatMap(([state, n]) => Array<string>(n).fill(state));
  const final = rollUp(states.map(itemStateOf)) as OrderState;
  // Closing records the final state itself, with inventory, services, CMDB and billing, in one activity.
  await withOptions('closeOrder', { summary: `Close the order as ${final}`, ...orderWide }, orderId, final);
  node.show(final);
  return final;
}
