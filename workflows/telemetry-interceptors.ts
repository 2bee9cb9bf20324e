/**
 * Workflow-side interceptors, registered through the worker's `interceptors.workflowModules` (and bundled
 * with the workflows by `npm run bundle`): OpenTelemetry spans for each workflow run, signal, update,
 * activity and child start, carried across by Temporal headers, and the workflow's ID and order ID on
 * each of those spans and on every line of the workflow logger. Spans leave the sandbox through the `exporter` sink the worker provides. Adds no
 * command and changes none: recorded histories replay the same.
 */
import { trace } from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { orderIdIn } from '../domain/order-plan';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const { workflowId } = workflowInfo();
  const orderId = orderIdIn(workflowId);
  /** Names the workflow and its order on the span the OpenTelemetry interceptor before this one opened. */
  const tag = <T>(next: () => T): T => {
    const span = trace.getActiveSpan();
    span?.setAttribute('temporalWorkflowId', workflowId);
    if (orderId) span?.setAttribute('order.id', orderId);
    return next();
  };
  return {
    inbound: [
      new OpenTelemetryInboundInterceptor(),
      {
        execute: (input, next) => tag(() => next(input)),
        handleSignal: (input, next) => tag(() => next(input)),
        handleUpdate: (input, next) => tag(() => next(input)),
      },
    ],
    outbound: [
      new OpenTelemetryOutboundInterceptor(),
      {
        scheduleActivity: (input, next) => tag(() => next(input)),
        scheduleLocalActivity: (input, next) => tag(() => next(input)),
        startChildWorkflowExecution: (input, next) => tag(() => next(input)),
        // Every line of the workflow logger (which names the workflow already) names the order too.
        getLogAttributes: (input, next) => next(orderId ? { ...input, orderId } : input),
      },
    ],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
