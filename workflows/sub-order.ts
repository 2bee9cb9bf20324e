import {
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { rollUp, type OrderState } from '../domain/states';
import { activities, withSummary } from './activity-proxies';
import { statusQuery, workflowId, type Progress, type SubOrderInput } from './contracts';
import { runDag, type NodeOutcome } from './dag';
import { domainOrder } from './domain-order';
import { State } from './search-attributes';
import { cancelNotRun, childSearchAttributes, itemStateOf } from './shared';

/** Most domain orders one sub-order runs at once. */
const MAX_DOMAIN_ORDERS_IN_FLIGHT = 50;

/** A sub-order (one site, subscriber, or the business account): runs its domain orders in dependency order. */
export async function subOrder(input: SubOrderInput): Promise<OrderState> {
  const { subOrderId, orderId, customerId } = input;
  let state: OrderState = 'acknowledged';
  const progress: Progress = { total: 0, completed: 0, failed: 0, running: 0 };
  setHandler(statusQuery, () => ({ id: subOrderId, state, progress }));
  const report = () =>
    setCurrentDetails(
      `Sub-order **${subOrderId}** is \`${state}\`: ${progress.completed}/${progress.total} domain orders completed, ${progress.running} running, ${progress.failed} failed.`,
    );
  const move = async (to: OrderState) => {
    await activities.recordTransition({
      entity: 'subOrder',
      id: subOrderId,
      to,
      eventKey: `${workflowInfo().workflowId}:${to}`,
      actor: 'sub-order-workflow',
    });
    state = to;
    upsertSearchAttributes([{ key: State, value: to }]);
    report();
  };

  const plan = await withSummary('loadSubOrderPlan', `Load the domain orders of ${subOrderId}`, subOrderId);
  progress.total = plan.length;
  await move('inProgress');

  const outcomes = await runDag(
    plan,
    async (d): Promise<NodeOutcome> => {
      progress.running++;
      report();
      const result = await executeChild(domainOrder, {
        workflowId: workflowId.domainOrder(d.id),
        args: [{ domainOrderId: d.id, orderId, customerId, domain: d.domain }],
        staticSummary: `${d.domain} domain order ${d.specCode} of sub-order ${subOrderId}`,
        typedSearchAttributes: childSearchAttributes(orderId, customerId, 'acknowledged', d.domain),
      });
      progress.running--;
      if (result === 'completed') progress.completed++;
      else progress.failed++;
      report();
      return result === 'completed' ? 'completed' : 'failed';
    },
    MAX_DOMAIN_ORDERS_IN_FLIGHT,
  );

  await cancelNotRun('domainOrder', outcomes, 'sub-order-workflow');
  const final = rollUp([...outcomes.values()].map(itemStateOf)) as OrderState;
  await move(final);
  return final;
}
