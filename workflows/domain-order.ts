import {
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TaskPlan } from '../activities/orders';
import { rollUp, type DomainOrderState } from '../domain/states';
import { activities, withSummary } from './activity-proxies';
import { statusQuery, workflowId, type DomainOrderInput, type Progress } from './contracts';
import { runDag, type NodeOutcome } from './dag';
import { cancelNotRun, childSearchAttributes, itemStateOf } from './shared';
import { State } from './search-attributes';
import { task } from './task';

/** Most tasks one domain order runs at once; the catalog's per-domain caps come on top. */
const MAX_TASKS_IN_FLIGHT = 100;

/** A domain order (TMF641 service order): runs its task plan as a dependency graph, then closes. */
export async function domainOrder(input: DomainOrderInput): Promise<DomainOrderState> {
  const { domainOrderId, orderId, customerId, domain } = input;
  let state: DomainOrderState = 'acknowledged';
  const progress: Progress = { total: 0, completed: 0, failed: 0, running: 0 };
  setHandler(statusQuery, () => ({ id: domainOrderId, state, progress }));
  const move = async (to: DomainOrderState) => {
    await activities.recordTransition({
      entity: 'domainOrder',
      id: domainOrderId,
      to,
      eventKey: `${workflowInfo().workflowId}:${to}`,
      actor: 'domain-order-workflow',
    });
    state = to;
    upsertSearchAttributes([{ key: State, value: to }]);
    report();
  };
  const report = () =>
    setCurrentDetails(
      `Domain order **${domainOrderId}** (${domain}) is \`${state}\`: ${progress.completed}/${progress.total} tasks completed, ${progress.running} running, ${progress.failed} failed.`,
    );

  const plan: TaskPlan[] = await withSummary(
    'loadDomainOrderPlan',
    `Load the task plan of ${domainOrderId}`,
    domainOrderId,
  );
  progress.total = plan.length;
  await move('inProgress');

  const outcomes = await runDag(
    plan,
    async (t): Promise<NodeOutcome> => {
      progress.running++;
      report();
      const result = await executeChild(task, {
        workflowId: workflowId.task(t.id),
        args: [{ taskId: t.id, orderId, customerId, domain, kind: t.kind, code: t.code, retry: t.retry }],
        staticSummary: `${t.kind} task ${t.code} of ${domainOrderId}`,
        typedSearchAttributes: childSearchAttributes(orderId, customerId, 'pending', domain),
      });
      progress.running--;
      if (result.state === 'completed') progress.completed++;
      else progress.failed++;
      report();
      return result.state;
    },
    MAX_TASKS_IN_FLIGHT,
  );

  await cancelNotRun('task', outcomes, 'domain-order-workflow');
  const final = rollUp([...outcomes.values()].map(itemStateOf)) as DomainOrderState;
  await move(final);
  return final;
}
