import { sleep } from '@temporalio/workflow';
import type { JeopardyLevel, TaskPlan } from './contracts';

interface Clock {
  since: number;
  planned: number;
  /** 0 green, 1 yellow, 2 red. */
  level: number;
}

/**
 * Jeopardy clocks of a domain order's running tasks: `yellow` past the planned duration, `red` past twice
 * that. One timer serves them all, set for the earliest next deadline and never cancelled (a finished
 * task's deadline just passes unnoticed), so a task that ends in time costs the history nothing. While the
 * order is held the clocks stand still.
 */
export class JeopardyClocks {
  private readonly clocks = new Map<string, Clock>();
  private armedFor = Infinity;
  private heldSince: number | undefined;

  constructor(
    /** How long one planned minute lasts on the clock. */
    private readonly minuteMs: number,
    /** Whether the order is held right now: a clock that runs out then waits for the resume. */
    private readonly held: () => boolean,
    /** Records a task's new level (and tells whoever must know). */
    private readonly raise: (taskId: string, level: JeopardyLevel) => Promise<void>,
  ) {}

  /** Runs a task with its clock ticking. */
  async watch<T>(t: TaskPlan, run: () => Promise<T>): Promise<T> {
    const clock = { since: Date.now(), planned: Math.max(1, t.plannedMinutes * this.minuteMs), level: 0 };
    this.clocks.set(t.id, clock);
    this.arm(deadlineOf(clock));
    try {
      return await run();
    } finally {
      this.clocks.delete(t.id);
    }
  }

  /** The order was held: the clocks stop. */
  pause(): void {
    if (this.heldSince === undefined) this.heldSince = Date.now();
  }

  /** The order was resumed: every clock moves on by the time held, then those past due raise. */
  async resume(): Promise<void> {
    if (this.heldSince === undefined) return;
    for (const c of this.clocks.values()) c.since += Date.now() - this.heldSince;
    this.heldSince = undefined;
    await this.check();
  }

  private arm(at: number): void {
    if (at >= this.armedFor) return;
    this.armedFor = at;
    void sleep(Math.max(1, at - Date.now())).then(async () => {
      if (this.armedFor === at) this.armedFor = Infinity;
      await this.check();
    });
  }

  private async check(): Promise<void> {
    if (this.held()) return; // paused; resuming moves every clock on by the time held
    for (const [taskId, c] of this.clocks) {
      while (c.level < 2 && deadlineOf(c) <= Date.now()) {
        c.level++;
        await this.raise(taskId, c.level === 1 ? 'yellow' : 'red');
      }
    }
    const pending = [...this.clocks.values()].filter((c) => c.level < 2);
    if (pending.length > 0) this.arm(Math.min(...pending.map(deadlineOf)));
  }
}

function deadlineOf(c: Clock): number {
  return c.since + c.planned * (c.level + 1);
}
