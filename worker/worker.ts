import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '@opentelemetry/resources';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { orderIdIn } from '../domain/order-plan';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow-side interceptors: the order ID on workflow log lines, always (workflows/log-interceptors.ts). */
export const workflowLogInterceptorModules = [
  fileURLToPath(new URL('../workflows/log-interceptors.ts', import.meta.url)),
];
/** Workflow-side tracing interceptors, only when tracing (workflows/telemetry-interceptors.ts). */
export const workflowTracingInterceptorModules = [
  fileURLToPath(new URL('../workflows/telemetry-interceptors.ts', import.meta.url)),
];
/** Where `npm run bundle` writes the prebuilt workflow bundle that production workers load. */
export const prebuiltBundlePath = path.resolve(
  path.dirname(workflowsPath),
  '..',
  'dist',
  'workflow-bundle.js',
);

export interface WorkerSetup extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle; without one the worker bundles `workflows/` at start. */
  workflowBundlePath?: string;
  /** Traces workflows and activities (see platform/telemetry.ts); without it, no spans are made. */
  tracing?: { spanProcessor: SpanProcessor; resource: Resource };
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'
    >
  >;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const bundlePath =
    setup.workflowBundlePath ??
    (existsSync(prebuiltBundlePath) && process.env.NODE_ENV === 'production'
      ? prebuiltBundlePath
      : undefined);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath }),
    activities: createActivities(setup),
    ...telemetryOptions(setup.tracing, !bundlePath),
    maxConcurrentActivityTaskExecutions: 100,
    ...setup.tuning,
  });
}

/** The sink a bundle with the workflow interceptors needs when nothing is traced: it drops the spans. */
export const untracedSinks = { exporter: { export: { fn: () => undefined } } };

/**
 * The workflow interceptors, bundled here when the worker bundles at start (a prebuilt bundle from
 * `npm run bundle` holds its own): the order ID on log lines always, spans with tracing; the order ID on
 * activity log lines; with tracing, the activity spans and the sink that takes workflow spans out of the
 * sandbox. Without tracing the sink exists and drops them, so a bundle made with the tracing interceptors
 * never calls a sink that is not there.
 */
function telemetryOptions(
  tracing: WorkerSetup['tracing'],
  bundling: boolean,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...(bundling
        ? {
            workflowModules: [
              ...workflowLogInterceptorModules,
              ...(tracing ? workflowTracingInterceptorModules : []),
            ],
          }
        : {}),
      activity: [
        (ctx) => {
          const orderId = orderIdIn(ctx.info.workflowExecution?.workflowId ?? '');
          // The activity logger names the workflow already; this names the order too.
          return {
            outbound: {
              getLogAttributes: (input, next) => next(orderId ? { ...input, orderId } : input),
            },
          };
        },
        // With tracing: a span per activity, and the trace and span IDs on its log lines.
        ...(tracing
          ? [
              (ctx: ActivityContext) => ({
                inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ]
          : []),
      ],
    },
    sinks: {
      exporter: tracing
        ? makeWorkflowExporter(tracing.spanProcessor, tracing.resource)
        : untracedSinks.exporter,
    },
  };
}
