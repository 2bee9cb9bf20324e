/**
 * Telemetry of the processes: the Temporal Runtime's Prometheus exporter (`METRICS_PORT`) and
 * OpenTelemetry tracing (`OTEL_EXPORTER_OTLP_ENDPOINT`), off unless asked for.
 */
import type { Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Context } from '@opentelemetry/api';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Runtime } from '@temporalio/worker';
import { orderIdIn } from '../domain/order-plan';

/**
 * Installs the Temporal Runtime of a process that runs a worker: with `metricsPort`, the SDK's own metrics
 * (workflow and activity task latencies, schedule-to-start, sticky cache, poller counts) are served for
 * Prometheus on `0.0.0.0:<metricsPort>/metrics`. Must run before the first connection is made.
 */
export function installRuntime(metricsPort: number | undefined): void {
  if (metricsPort === undefined) return;
  Runtime.install({
    telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort}` } } },
  });
}

export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

/**
 * Registers the process's tracer provider (AsyncLocalStorage context, W3C trace context) exporting to
 * `endpoint` over OTLP/HTTP, or to `exporter` (tests: an in-memory one). Neither: no tracing, and every
 * tracer the code asks for is the API's no-op one.
 */
export function startTracing(
  serviceName: string,
  options: { endpoint?: string; exporter?: SpanExporter },
): Tracing | undefined {
  const { endpoint, exporter } = options;
  if (!endpoint && !exporter) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const spanProcessor = new OrderIdSpanProcessor(
    exporter
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint!.replace(/\/$/, '')}/v1/traces` })),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}

/** The Temporal client's interceptors: with tracing, a workflow start or signal carries the caller's trace. */
export const clientInterceptors = (tracing: Tracing | undefined): ClientInterceptors | undefined =>
  tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;

/**
 * Names the order (`order.id`) on every span that can tell it: a span that carries a workflow ID
 * (workflow start, activity, workflow spans) or already names it. Finished spans are read-only by type
 * only; setting an attribute before export is what this processor is for.
 */
class OrderIdSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes as Attributes;
    if (!attributes['order.id']) {
      const orderId = orderIdIn(String(attributes.temporalWorkflowId ?? ''));
      if (orderId) attributes['order.id'] = orderId;
    }
    this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
