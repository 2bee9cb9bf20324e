/**
 * Workflow-side tracing interceptors, registered through the worker's `interceptors.workflowModules` when
 * tracing is on (and bundled by `npm run bundle` when `OTEL_EXPORTER_OTLP_ENDPOINT` is set): OpenTelemetry
 * spans for each workflow run, signal, update, activity and child start, carried across by Temporal
 * headers, with the workflow's ID and order ID on each. Spans leave the sandbox through the `exporter`
 * sink the worker provides. Left out when nothing is traced: they cost the engine throughput and memory.
 * They add no command and change none: the recorded histories replay with them (the test bundle has them).
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
      },
    ],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
