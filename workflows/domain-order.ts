import { executeChild } from '@temporalio/workflow';
import { rollUp, type DomainOrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import { workflowId, type DomainOrderInput } from './contracts';
import { runDag, type NodeOutcome } from './dag';
import { FulfilmentNode } from './fulfilment-node';
import { cancelNotRun, childSearchAttributes, itemStateOf } from './shared';
import { task } from './task';

/** Most tasks one domain order runs at once; the catalog's per-domain caps come on top. */
const MAX_TASKS_IN_FLIGHT = 100;

/** A domain order (TMF641 service order): runs its task plan as a dependency graph, then closes. */
export async function domainOrder({
  domainOrderId,
  orderId,
  customerId,
  domain,
}: DomainOrderInput): Promise<DomainOrderState> {
  const node = new FulfilmentNode<DomainOrderState>('domainOrder', domainOrderId, 'acknowledged', {
    name: `Domain order **${domainOrderId}** (${domain})`,
    children: 'tasks',
  });

  const plan = await withSummary(
    'loadDomainOrderPlan',
    `Load the task plan of ${domainOrderId}`,
    domainOrderId,
  );
  node.progress.total = plan.length;
  await node.move('inProgress');

  const outcomes = await runDag(
    plan,
    (t): Promise<NodeOutcome> =>
      node.track(
        async () => {
          const result = await executeChild(task, {
            workflowId: workflowId.task(t.id),
            args: [{ taskId: t.id, orderId, customerId, domain, kind: t.kind, code: t.code, retry: t.retry }],
            staticSummary: `${t.kind} task ${t.code} of ${domainOrderId}`,
            typedSearchAttributes: childSearchAttributes(orderId, customerId, 'pending', domain),
          });
          return result.state;
        },
        (outcome) => outcome === 'completed',
      ),
    MAX_TASKS_IN_FLIGHT,
  );

  await cancelNotRun('task', outcomes, 'domain-order-workflow');
  const final = rollUp([...outcomes.values()].map(itemStateOf)) as DomainOrderState;
  await node.move(final);
  return final;
}
