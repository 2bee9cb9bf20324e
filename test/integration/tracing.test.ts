/**
 * One order's trace, from the HTTP request through the workflow start into the order, sub-order and
 * domain-order workflows and their activities, caught by an in-memory span exporter; and the worker's
 * log lines, which name the workflow and the order.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../platform/telemetry';
import { eventually, startHarness, type Harness } from '../harness';
import { acceptedQuote, createAccount, orderInState, runningTask } from '../lifecycle';

const exporter = new InMemorySpanExporter();
const logLines: LogEntry[] = [];
let tracing: Tracing;
let h: Harness;
beforeAll(async () => {
  tracing = startTracing('order-orchestration-test', { exporter })!;
  h = await startHarness({
    tracing,
    logger: new DefaultLogger('DEBUG', (entry) => void logLines.push(entry)),
  });
});
afterAll(async () => {
  await h?.stop();
  await tracing?.shutdown();
});

describe('tracing and logs', () => {
  it('follows an order from POST /orders to the activities of its domain orders, each span naming the order', async () => {
    const quoteId = await acceptedQuote(h, await createAccount(h));
    const created = await h.http('POST', '/orders', { quoteId });
    expect(created.status).toBe(202);
    const orderId: string = created.body.id;
    const fieldTaskId = await runningTask(h, orderId, 'field');
    await h.by('technician-9')('POST', `/tasks/${fieldTaskId}/complete`, { note: 'done' });
    await orderInState(h, orderId, 'completed');

    const request = await eventually(async () => {
      await tracing.spanProcessor.forceFlush();
      return exporter
        .getFinishedSpans()
        .find((s) => s.name === 'POST /orders' && s.attributes['order.id'] === orderId);
    }, 'the span of POST /orders');
    const { traceId } = request.spanContext();
    // Workflow spans leave the sandbox when their workflow ends: wait for the order's own.
    const trace = await eventually(async () => {
      await tracing.spanProcessor.forceFlush();
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return spans.some((s) => s.name === 'RunWorkflow:order') ? spans : undefined;
    }, 'the order workflow span');

    const names = new Set(trace.map((s) => s.name));
    for (const name of [
      'POST /orders',
      'StartWorkflow:order',
      'RunWorkflow:order',
      'StartChildWorkflow:subOrder',
      'RunWorkflow:subOrder',
      'RunWorkflow:domainOrder',
    ])
      expect(names, name).toContain(name);
    expect(trace.filter((s) => s.name.startsWith('RunActivity:')).length).toBeGreaterThan(0);
    expect(trace.filter((s) => s.name.startsWith('StartActivity:')).length).toBeGreaterThan(0);
    const unnamed = (spans: ReadableSpan[]) =>
      spans.filter((s) => s.attributes['order.id'] !== orderId).map((s) => s.name);
    expect(unnamed(trace.filter((s) => /Workflow|Activity|POST/.test(s.name)))).toEqual([]);
    // One parent chain: every span but the request's has its parent in the trace.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    expect(trace.filter((s) => s !== request && !ids.has(s.parentSpanId!)).map((s) => s.name)).toEqual([]);
  });

  it('puts the order ID and the workflow ID on the lines workflows and activities log', () => {
    // The SDK's own lines (workflow and activity started and completed, at DEBUG).
    const ofOrders = logLines.filter(
      (l) => /^(Workflow|Activity) /.test(l.message) && /ORD-/.test(String(l.meta?.workflowId)),
    );
    const workflowLines = ofOrders.filter((l) => l.message.startsWith('Workflow'));
    const activityLines = ofOrders.filter((l) => l.message.startsWith('Activity'));
    expect(workflowLines.length).toBeGreaterThan(0);
    expect(activityLines.length).toBeGreaterThan(0);
    for (const line of ofOrders)
      expect(line.meta?.orderId, `${line.message} ${String(line.meta?.workflowId)}`).toBe(
        /ORD-[0-9A-Z]+/.exec(String(line.meta?.workflowId))![0],
      );
  });
});
