/**
 * Every failure type the engine names, written once: workflows throw them from update validators,
 * activities throw them as non-retryable refusals, the API maps them to its answers. Sandbox-safe (only
 * `@temporalio/common`), so workflows, activities and the API all import it.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

export const FailureType = {
  /** What was asked does not fit the state of the quote, order or fall-out case (the API answers 409). */
  InvalidState: 'InvalidState',
  /** The caller's token lacks the role the request needs (the API answers 403). */
  Forbidden: 'Forbidden',
  /** Whoever made a quote version cannot also approve it (the API answers 403). */
  FourEyes: 'FourEyes',
  /** The record an activity was given does not exist. */
  NotFound: 'NotFound',
  /** A downstream system refused the request or failed it; the task workflow applies the catalog's retries. */
  DownstreamError: 'DownstreamError',
  /** A downstream system did not answer in time; counted like an error, as an attempt spent. */
  DownstreamTimeout: 'DownstreamTimeout',
  /** The downstream system is offline: its tasks wait `onHold`, burning no attempt, until it is back. */
  SystemOffline: 'SystemOffline',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/**
 * What activities refuse for a business reason rather than a broken connection: never retried by
 * Temporal (`nonRetryableErrorTypes`), the workflow decides what comes next.
 */
export const activityRefusals: FailureType[] = [
  FailureType.NotFound,
  FailureType.DownstreamError,
  FailureType.DownstreamTimeout,
  FailureType.SystemOffline,
];

/**
 * A failure of the given type, for a workflow to throw (an update's validator, a refused control). Any
 * `details` travel with it; the API reads the first as the list of error details it answers.
 */
export function failure(type: FailureType, message: string, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, ...(details.length > 0 ? { details } : {}) });
}

/** A business refusal of an activity: non-retryable, so the workflow hears it at once. */
export function refusal(type: FailureType, message: string, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(details.length > 0 ? { details } : {}),
  });
}

/**
 * The `ApplicationFailure` of one of the given types that `err` is, or that the activity or child workflow
 * failure `err` wraps; undefined when it is none of them.
 */
export function failureOf(err: unknown, ...types: FailureType[]): ApplicationFailure | undefined {
  for (let e = err; e instanceof Error;) {
    if (e instanceof ApplicationFailure) return types.includes(e.type as FailureType) ? e : undefined;
    if (!(e instanceof ActivityFailure || e instanceof ChildWorkflowFailure)) return undefined;
    e = e.cause;
  }
  return undefined;
}

/** Whether `err` is, or wraps, a failure of one of the given types. */
export function isFailure(err: unknown, ...types: FailureType[]): boolean {
  return failureOf(err, ...types) !== undefined;
}

/** The message of what failed: of the cause `err` wraps (an activity's failure in its ActivityFailure), else its own. */
export function failureMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err as Error).message ?? String(err);
}
