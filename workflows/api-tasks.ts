import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { failureMessage, FailureType, isFailure } from '../domain/failures';
import { bookkeeping, withOptions } from './activity-proxies';
import { systemBackSignal, type Control, type TaskOutcome, type TaskPlan } from './contracts';

/** How one run of a task ended, with the reason when it failed. */
export interface TaskRun {
  outcome: TaskOutcome;
  reason?: string;
}

/**
 * The `api` tasks of a domain order: one activity per attempt against the task's downstream system, the
 * catalog's waits between attempts. A system marked offline holds its tasks `onHold`, spending no attempt,
 * until the API says it is back (signal `systemBack` to the domain orders holding its tasks), checked
 * again every minute in case that word was missed.
 */
export class ApiTasks {
  private readonly systemsBack = new Set<string>();
  private holds = 0;

  constructor(
    private readonly customerId: string,
    /** The domain order's control: a cancellation stops waiting between attempts and for a system. */
    private readonly control: Control,
  ) {
    setHandler(systemBackSignal, ({ system }) => void this.systemsBack.add(system));
  }

  /**
   * Runs the task's attempts. A round after a fall-out's `retry` gets the policy's attempts again,
   * numbered on (each attempt its own idempotency key).
   */
  async run(t: TaskPlan, round: number): Promise<TaskRun> {
    const { maxAttempts, backoffSeconds } = t.retry;
    for (let attempt = 1; ; attempt++) {
      const number = round * maxAttempts + attempt;
      try {
        // The call heartbeats: a worker that dies mid-call hands it to another within seconds, and the
        // retry reuses the attempt's idempotency key, so the downstream system acts once.
        await withOptions(
          'runApiTask',
          {
            summary: `${t.code} (${t.id}) attempt ${attempt}/${maxAttempts}${round ? `, round ${round + 1}` : ''}`,
            heartbeatTimeout: '5 seconds',
          },
          t.id,
          number,
          this.customerId,
        );
        return { outcome: 'completed' };
      } catch (err) {
        if (isFailure(err, FailureType.SystemOffline)) {
          // Not an attempt: the task waits onHold until its system is back, then tries the same attempt.
          attempt--;
          if ((await this.waitForSystem(t)) === 'cancelled') return { outcome: 'cancelled' };
          continue;
        }
        if (attempt >= maxAttempts) {
          const reason = `${attempt} attempts failed; last: ${failureMessage(err)}`;
          await bookkeeping.recordTaskFatallyFailed(t.id, { by: workflowInfo().workflowId, reason }, round);
          return { outcome: 'failed', reason };
        }
        const wait = (backoffSeconds[Math.min(attempt - 1, backoffSeconds.length - 1)] ?? 1) * 1000;
        if (await condition(() => this.control.cancelled, wait)) return { outcome: 'cancelled' };
      }
    }
  }

  private async waitForSystem(t: TaskPlan): Promise<'back' | 'cancelled'> {
    const system = t.system!;
    this.systemsBack.delete(system);
    await bookkeeping.recordTaskOnHold(t.id, system, ++this.holds);
    for (;;) {
      await condition(() => this.systemsBack.has(system) || this.control.cancelled, 60_000);
      if (this.control.cancelled) return 'cancelled';
      if (this.systemsBack.has(system) || (await bookkeeping.isSystemOnline(system))) return 'back';
    }
  }
}
