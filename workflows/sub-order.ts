import { executeChild } from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import { workflowId, type SubOrderInput } from './contracts';
import { runDag, type NodeOutcome } from './dag';
import { domainOrder } from './domain-order';
import { FulfilmentNode } from './fulfilment-node';
import { cancelNotRun, childSearchAttributes, itemStateOf } from './shared';

/** Most domain orders one sub-order runs at once. */
const MAX_DOMAIN_ORDERS_IN_FLIGHT = 50;

/** A sub-order (one site, subscriber, or the business account): runs its domain orders in dependency order. */
export async function subOrder({ subOrderId, orderId, customerId }: SubOrderInput): Promise<OrderState> {
  const node = new FulfilmentNode<OrderState>('subOrder', subOrderId, 'acknowledged', {
    name: `Sub-order **${subOrderId}**`,
    children: 'domain orders',
  });

  const plan = await withSummary('loadSubOrderPlan', `Load the domain orders of ${subOrderId}`, subOrderId);
  node.progress.total = plan.length;
  await node.move('inProgress');

  const outcomes = await runDag(
    plan,
    (d): Promise<NodeOutcome> =>
      node.track(
        async () => {
          const result = await executeChild(domainOrder, {
            workflowId: workflowId.domainOrder(d.id),
            args: [{ domainOrderId: d.id, orderId, customerId, domain: d.domain }],
            staticSummary: `${d.domain} domain order ${d.specCode} of sub-order ${subOrderId}`,
            typedSearchAttributes: childSearchAttributes(orderId, customerId, 'acknowledged', d.domain),
          });
          return result === 'completed' ? 'completed' : 'failed';
        },
        (outcome) => outcome === 'completed',
      ),
    MAX_DOMAIN_ORDERS_IN_FLIGHT,
  );

  await cancelNotRun('domainOrder', outcomes, 'sub-order-workflow');
  const final = rollUp([...outcomes.values()].map(itemStateOf)) as OrderState;
  await node.move(final);
  return final;
}
