/**
 * Workflow-side interceptor, always registered (the worker's `interceptors.workflowModules`, and bundled
 * by `npm run bundle`): every line of the workflow logger, which names the workflow already, names the
 * order too. Adds no command.
 */
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { orderIdIn } from '../domain/order-plan';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const orderId = orderIdIn(workflowInfo().workflowId);
  return {
    outbound: orderId ? [{ getLogAttributes: (input, next) => next({ ...input, orderId }) }] : [],
  };
};
