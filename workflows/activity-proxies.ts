import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Database and downstream activities. Infrastructure errors (a dropped connection, a worker crash) retry
 * with backoff until they succeed; business refusals are non-retryable failures the workflows handle.
 */
export const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

export const activities = proxyActivities<Activities>(activityOptions);

/** Calls an activity with a one-line summary that the Temporal UI shows on the event. */
export function withSummary<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const activity = activities[name] as unknown as {
    executeWithOptions(
      options: ActivityOptions,
      args: unknown[],
    ): Promise<Awaited<ReturnType<Activities[K]>>>;
  };
  return activity.executeWithOptions({ ...activityOptions, summary }, args);
}
