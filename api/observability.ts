/**
 * Each request as a trace span (continuing a caller's W3C `traceparent`), made the active context for
 * everything the request does, so the workflow it starts and that workflow's activities join the same
 * trace; and the principal on the request's log lines (pino already carries `reqId`). Without a tracer
 * provider (tracing off) the spans are the OpenTelemetry API's no-ops.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { orderIdIn } from '../domain/order-plan';

const tracer = trace.getTracer('order-orchestration-api');
const spans = new WeakMap<object, Span>();

export function registerObservability(app: FastifyInstance): void {
  // Callback style on purpose: `done` runs the rest of the request inside the span's context.
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'url.path': request.url.split('?')[0],
          'request.id': request.id,
        },
      },
      parent,
    );
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });

  // After authentication: who calls, on the log lines and the span.
  app.addHook('preHandler', async (request, reply) => {
    const span = spans.get(request);
    const orderId = orderIdIn(request.url);
    if (orderId) span?.setAttribute('order.id', orderId);
    if (!request.principal) return;
    span?.setAttribute('enduser.id', request.principal.subject);
    request.log = request.log.child({ principal: request.principal.subject });
    // Fastify's own "request completed" line goes through the reply's logger.
    reply.log = request.log;
  });

  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** Names the order on the request's span, for requests that make one (`POST /orders`). */
export const traceOrder = (orderId: string) => trace.getActiveSpan()?.setAttribute('order.id', orderId);
