import { condition, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { bookkeeping } from './activity-proxies';
import {
  falloutChangedSignal,
  jeopardySignal,
  taskFinishedSignal,
  workflowId,
  type SubOrderInput,
} from './contracts';
import { runDag, type NodeOutcome } from './dag';
import { domainOrder } from './domain-order';
import { FulfilmentNode } from './fulfilment-node';
import { childStart, ControlRelay, itemStateOf } from './shared';

/** Most domain orders one sub-order runs at once. */
const MAX_DOMAIN_ORDERS_IN_FLIGHT = 50;

/** A sub-order (one site, subscriber, or the business account): runs its domain orders in dependency order. */
export async function subOrder(input: SubOrderInput): Promise<OrderState> {
  const { subOrderId, orderId, customerId, settings } = input;
  const node = new FulfilmentNode<OrderState>('subOrder', subOrderId, 'acknowledged', {
    name: `Sub-order **${subOrderId}**`,
    children: 'domain orders',
  });
  setHandler(jeopardySignal, ({ level }) => void node.raiseJeopardy(level));
  setHandler(falloutChangedSignal, ({ delta }) => node.countFallouts(delta));
  const relay = new ControlRelay();
  const { control } = relay;

  const plan = await bookkeeping.startSubOrder(subOrderId, `${workflowInfo().workflowId}:inProgress`);
  node.progress.total = plan.length;
  node.show('inProgress', { upsert: !input.shownInProgress });

  const outcomes = await runDag(
    plan,
    (d): Promise<NodeOutcome> =>
      node.track(
        async () => {
          if (control.held && !control.cancelled) {
            // Counted for the status query only: no command changes, recorded histories replay as before.
            node.waitingOnHold++;
            await condition(() => !control.held || control.cancelled);
            node.waitingOnHold--;
          }
          if (control.cancelled) return 'notRun';
          const { shownInProgress, typedSearchAttributes } = childStart(
            orderId,
            customerId,
            input.shownInProgress,
            d.domain,
          );
          const result = await relay.child(domainOrder, {
            workflowId: workflowId.domainOrder(d.id),
            args: [
              {
                domainOrderId: d.id,
                subOrderId,
                orderId,
                customerId,
                domain: d.domain,
                settings,
                ...(shownInProgress ? { shownInProgress } : {}),
              },
            ],
            staticSummary: `${d.domain} domain order ${d.specCode} of sub-order ${subOrderId}`,
            typedSearchAttributes,
          });
          // A domain order retired by an amendment counts as cancelled, not failed.
          return result === 'completed' || result === 'cancelled' ? result : 'failed';
        },
        (outcome) => outcome === 'completed',
      ),
    MAX_DOMAIN_ORDERS_IN_FLIGHT,
  );

  const notRun = [...outcomes].filter(([, o]) => o === 'notRun').map(([id]) => id);
  if (notRun.length > 0) {
    const awaited = await bookkeeping.cancelDomainOrders(notRun, workflowInfo().workflowId);
    await Promise.all(
      awaited.flatMap(({ taskId, notifies }) =>
        notifies.map((id) =>
          getExternalWorkflowHandle(workflowId.domainOrder(id))
            .signal(taskFinishedSignal, { taskId, outcome: 'cancelled' })
            .catch(() => undefined),
        ),
      ),
    );
  }
  // Called off from above: `cancelled`, or `failed` where a fall-out was aborted here.
  const states = [...outcomes.values()].map(itemStateOf);
  const final = control.cancelled
    ? states.includes('failed')
      ? 'failed'
      : 'cancelled'
    : (rollUp(states) as OrderState);
  await node.move(final);
  return final;
}
