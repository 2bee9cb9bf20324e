/**
 * The determinism guard: histories of representative orders, recorded by `npm run record-histories`,
 * replayed against the current workflow code. A change that would break running orders fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { untracedSinks } from '../../worker/worker';

const dir = fileURLToPath(new URL('../histories/', import.meta.url));
const scenarios = readdirSync(dir).filter((f) => f.endsWith('.json'));
type History = proto.temporal.api.history.v1.History;

function load(file: string): { workflowId: string; history: History }[] {
  const stored = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    workflowId: string;
    history: string;
  }[];
  return stored.map(({ workflowId, history }) => ({
    workflowId,
    history: proto.temporal.api.history.v1.History.decode(Buffer.from(history, 'base64')),
  }));
}

async function replay(histories: { workflowId: string; history: History }[]) {
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    // The bundle holds the tracing interceptors (replayed with the code), whose sink drops the spans.
    { workflowBundle: { codePath: inject('workflowBundlePath') }, sinks: untracedSinks },
    histories,
  );
  for await (const result of results)
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  return failures;
}

describe('replay of recorded histories', () => {
  it('has the representative orders: completed, fall-outs resolved each way, cancelled, amended', () => {
    const representative = [
      'amended',
      'cancelled',
      'completed',
      'fallout-abort',
      'fallout-complete',
      'fallout-retry',
      'fallout-skip',
    ];
    // Each recorded before the patch `shown-in-progress-at-start` and after it: both paths replay.
    expect(scenarios.sort()).toEqual(
      representative.flatMap((s) => [`${s}.json`, `${s}.shown-in-progress.json`]).sort(),
    );
  });

  it.each(scenarios)('%s replays without a determinism error', async (file) => {
    const histories = load(file);
    expect(histories.length).toBeGreaterThan(3);
    expect(await replay(histories)).toEqual([]);
  });

  it('catches a history the code would not produce (the guard can fail)', async () => {
    const [order] = load('completed.json').filter((h) => h.workflowId.startsWith('order:'));
    // Rename the first activity the order scheduled, as if the code had changed what it calls.
    const scheduled = order.history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'somethingElse';
    const failures = await replay([order]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/nondetermin|Nondetermin|mismatch/i);
  });
});
