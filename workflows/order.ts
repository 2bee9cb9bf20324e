import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { failure, FailureType } from '../domain/failures';
import { rollUp, type OrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import {
  abortSignal,
  amendUpdate,
  cancelUpdate,
  controlSignal,
  defaultFulfilmentSettings,
  falloutChangedSignal,
  holdUpdate,
  jeopardySignal,
  resumeUpdate,
  workflowId,
  type OrderCarry,
  type OrderInput,
} from './contracts';
import { FulfilmentNode } from './fulfilment-node';
import { childSearchAttributes, compensate, ControlRelay, itemStateOf } from './shared';
import { subOrder } from './sub-order';

/** The order's refusals carry their error details (the API answers them with the 409). */
const invalidState = (message: string, details: unknown[] = []) =>
  failure(FailureType.InvalidState, message, details);

/**
 * The primary order (stages 5 to 9): order approval (credit and feasibility), product inventory created
 * inactive, decomposition, then its sub-orders in a sliding window of at most `maxSubOrdersInFlight`
 * children, in an order where none waits on one not yet started. When its history grows past
 * `historyLimit` it lets the running sub-orders finish and continues as new with what it has counted.
 * Closure is bottom-up: the order closes after its last sub-order, activating its inventory.
 *
 * Updates `hold`, `resume` and `cancel` (API: `POST /orders/:id/hold`, ...) reach every running sub-order
 * and domain order. A cancellation is assessed first: past a point of no return it is refused and the
 * order goes back to where it was; otherwise the work done is compensated, latest first, and the order
 * closes `cancelled`.
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
  let controls = input.carry?.controls ?? 0;
  let cancelReason = '';
  let aborted: { caseId: string; taskId: string; by: string } | undefined;
  setHandler(abortSignal, async (abort) => {
    if (aborted || control.cancelled) return;
    aborted = abort;
    await relay.apply({ cancelled: true });
  });

  /** Hold and resume: a move between two states, passed down to every running child. */
  const holdSwitch = (update: typeof holdUpdate, from: OrderState, to: OrderState, rule: string) =>
    setHandler(
      update,
      async ({ reason }) => {
        await node.move(to, `${++controls}`, { reason });
        await relay.apply({ held: to === 'held' });
        return { state: node.state };
      },
      {
        validator: (_request: { reason?: string }) => {
          if (node.state !== from) throw invalidState(`Order ${orderId} is ${node.state}; ${rule}`);
        },
      },
    );
  holdSwitch(holdUpdate, 'inProgress', 'held', 'only an order in progress can be held');
  holdSwitch(resumeUpdate, 'held', 'inProgress', 'only a held order can be resumed');
  setHandler(
    cancelUpdate,
    async ({ reason }) => {
      const before = node.state;
      const wasHeld = control.held;
      await node.move('assessingCancellation', `${++controls}`, { reason });
      await relay.apply({ held: true }); // nothing new starts while the order is assessed
      const passed = await withSummary(
        'assessCancellation',
        'Check every item against its point of no return',
        orderId,
      );
      if (passed.length > 0) {
        await node.move(before, `${++controls}`, { cancellationRefused: passed });
        await relay.apply({ held: wasHeld });
        const items = [...new Set(passed.flatMap((p) => p.items))];
        throw invalidState(
          `Order ${orderId} cannot be cancelled: ${items.join(', ')} passed the milestone pointOfNoReturn ` +
            `(${passed.map((p) => `${p.code} ${p.state}`).join(', ')}); it stays ${before}`,
          passed.map((p) => ({
            field: 'items',
            rule: 'pointOfNoReturn',
            message: `${p.items.join(', ')}: ${p.code} ${p.state}`,
          })),
        );
      }
      cancelReason = reason ?? 'cancelled by the customer';
      await node.move('pendingCancellation', `${++controls}`, { reason });
      await relay.apply({ cancelled: true });
      return { state: node.state };
    },
    {
      validator: (_request: { reason?: string }) => {
        if (!['acknowledged', 'inProgress', 'held'].includes(node.state))
          throw invalidState(`Order ${orderId} is ${node.state}; it cannot be cancelled now`);
      },
    },
  );

  // Amendments (supplemental orders): the running plan freezes while the change is applied; new sites
  // join the window, domain orders whose items were removed stop and undo their work, the rest goes on.
  let amending = 0;
  let closing = false;
  let carry: OrderCarry | undefined;
  setHandler(
    amendUpdate,
    async ({ amendmentId }) => {
      amending++;
      const wasHeld = control.held;
      try {
        await relay.apply({ held: true });
        await condition(() => carry !== undefined);
        const effects = await withSummary(
          'applyAmendment',
          `Apply amendment ${amendmentId} to the running plan`,
          amendmentId,
          settings.minuteMs,
        );
        await Promise.all(
          effects.retiredDomainOrderIds.map((id) =>
            getExternalWorkflowHandle(workflowId.domainOrder(id))
              .signal(controlSignal, { held: false, cancelled: true, retire: true })
              .catch(() => undefined),
          ),
        );
        const ids = carry!.subOrderIds;
        for (const removed of effects.removedSubOrderIds) {
          const at = ids.indexOf(removed);
          if (at >= carry!.next) ids.splice(at, 1); // not started yet: it never will be
        }
        ids.push(...effects.newSubOrderIds);
        node.progress.total = ids.length;
        node.report();
        await withSummary('completeAmendment', `Amendment ${amendmentId} applied`, amendmentId);
        return { ...effects, state: node.state };
      } finally {
        await relay.apply({ held: wasHeld });
        amending--;
      }
    },
    {
      validator: (_request: { amendmentId: string }) => {
        if (!['inProgress', 'held'].includes(node.state) || closing || control.cancelled)
          throw invalidState(
            `Order ${orderId} is ${closing ? 'closing' : node.state}; it can no longer be amended`,
          );
      },
    },
  );

  if (input.carry) {
    carry = input.carry;
    node.raiseJeopardy(carry.jeopardy);
    node.countFallouts(carry.falloutsOpen);
    node.show(carry.held ? 'held' : 'inProgress');
    await relay.apply({ held: carry.held });
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
    carry = {
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
          relay.child(subOrder, {
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
  const launchable = () =>
    carry!.next < subOrderIds.length && running() < settings.maxSubOrdersInFlight && !control.held;
  const finished = () => carry!.next >= subOrderIds.length && running() === 0 && amending === 0;
  for (;;) {
    await condition(() => control.cancelled || (launchable() && amending === 0) || finished());
    if (control.cancelled) break;
    if (finished()) {
      closing = true;
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
          controls,
        },
      });
    }
    void runSubOrder(subOrderIds[carry.next++]);
  }
  await condition(() => running() === 0);
  closing = true;

  if (aborted) {
    // A fall-out was aborted: the sub-orders that did not complete are compensated; what completed stays.
    const abort = aborted;
    const final: OrderState = (outcomes.completed ?? 0) > 0 ? 'partial' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      const plan = await withSummary(
        'compensationPlan',
        'List the completed work of the sub-orders that did not complete, latest first',
        orderId,
        true,
      );
      await compensate(plan, customerId);
      await withSummary('closeOrder', `Close the aborted order as ${final}`, orderId, final, {
        abortedBy: abort.by,
        falloutCase: abort.caseId,
        compensations: plan.length,
      });
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
      await withSummary(
        'closeCancelled',
        `Close the order as cancelled (${plan.length} compensations)`,
        orderId,
        cancelReason,
      );
    });
    node.show('cancelled');
    return 'cancelled';
  }

  const states = Object.entries(outcomes).flatMap(([state, n]) => Array<string>(n).fill(state));
  const final = rollUp(states.map(itemStateOf)) as OrderState;
  // Closing records the final state itself, with inventory, services, CMDB and billing, in one activity.
  await withSummary('closeOrder', `Close the order as ${final}`, orderId, final);
  node.show(final);
  return final;
}
