/**
 * The benchmark's baseline (`npm run bench`), bundled on its own and never by the product's worker: bare
 * child workflows that each run one no-op activity, what the engine's tasks are measured against.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function baselineChild(): Promise<void> {
  await noop();
}

/** Runs `count` children at once (kept under Temporal's pending-children limit by the caller). */
export async function baselineParent(prefix: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => executeChild(baselineChild, { workflowId: `${prefix}-${i}` })),
  );
}
