import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityRefusals } from '../domain/failures';
import type { HubDeliverySettings } from './contracts';

/**
 * Database and downstream activities. Infrastructure errors (a dropped connection, a worker crash) retry
 * with backoff until they succeed; business refusals are non-retryable failures the workflows handle.
 */
export const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: activityRefusals,
  },
};

export const activities = proxyActivities<Activities>(activityOptions);

/**
 * For an activity whose one attempt covers the whole order (approval, decomposition, closure): long
 * enough for thousands of sites, and heartbeating, so that a lost worker's attempt is taken over within
 * seconds. Options only: the commands, and so recorded histories, are unchanged.
 */
export const orderWide: Partial<ActivityOptions> = {
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: '10 minutes',
};

/**
 * The engine's own bookkeeping in the database (state moves, plan loads, jeopardy): short, idempotent
 * writes run as local activities, in the worker that runs the workflow, without a round trip through a
 * task queue. Each is still recorded in the history and retried after a crash.
 */
export const bookkeeping = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '10 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: activityRefusals,
  },
} satisfies LocalActivityOptions);

/** Calls an activity with a one-line summary that the Temporal UI shows on the event. */
export function withSummary<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  return withOptions(name, { summary }, ...args);
}

/** Calls an activity with options of its own on top of the defaults. */
export function withOptions<K extends keyof Activities>(
  name: K,
  options: Partial<ActivityOptions>,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const activity = activities[name] as unknown as {
    executeWithOptions(
      options: ActivityOptions,
      args: unknown[],
    ): Promise<Awaited<ReturnType<Activities[K]>>>;
  };
  return activity.executeWithOptions({ ...activityOptions, ...options }, args);
}

/**
 * The hub's proxies for one subscription: polls and bookkeeping retried as usual; a delivery retried with
 * backoff for the subscription's whole window (`scheduleToCloseTimeout`), or once, when it is failing.
 */
export function hubProxies(settings: HubDeliverySettings) {
  const delivery: ActivityOptions = {
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: Math.min(1000, settings.maxRetryIntervalMs),
      backoffCoefficient: 2,
      maximumInterval: settings.maxRetryIntervalMs,
    },
  };
  return {
    poll: proxyActivities<Activities>({ ...activityOptions, heartbeatTimeout: '20 seconds' }),
    deliver: proxyActivities<Activities>({ ...delivery, scheduleToCloseTimeout: settings.retryWindowMs }),
    deliverOnce: proxyActivities<Activities>({ ...delivery, retry: { maximumAttempts: 1 } }),
  };
}
