import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { bookkeeping } from './activity-proxies';
import {
  jeopardyLevels,
  statusQuery,
  type Entity,
  type JeopardyLevel,
  type OrderStatus,
  type Progress,
} from './contracts';
import { FalloutOpen, Jeopardy, OrderState, State } from './search-attributes';

/**
 * The state an order, sub-order or domain-order workflow keeps: its own state and its children's
 * progress, answered by the `status` query, shown as current details and search attributes, and recorded
 * in the audit trail on every move.
 */
export class FulfilmentNode<S extends OrderStatus['state']> {
  state: S;
  readonly progress: Progress = { total: 0, completed: 0, failed: 0, running: 0 };
  jeopardy: JeopardyLevel = 'green';
  /** Open fall-out cases under this node; `FalloutOpen` shows whether there are any. */
  falloutsOpen = 0;
  /** Children ready to start that wait only for a hold to end (tasks, domain orders); the query shows it. */
  waitingOnHold = 0;

  constructor(
    private readonly entity: Extract<Entity, 'order' | 'subOrder' | 'domainOrder'>,
    private readonly id: string,
    initial: S,
    /** What the current details call this node and its children, e.g. `Sub-order **X**` and `domain orders`. */
    private readonly label: { name: string; children: string },
  ) {
    this.state = initial;
    setHandler(statusQuery, () => ({
      id: this.id,
      state: this.state,
      progress: this.progress,
      jeopardy: this.jeopardy,
      falloutsOpen: this.falloutsOpen,
      ...(this.entity === 'order' ? {} : { waitingOnHold: this.waitingOnHold }),
    }));
    this.report();
  }

  report(): void {
    const { completed, total, running, failed } = this.progress;
    const risk =
      (this.jeopardy === 'green' ? '' : ` Jeopardy **${this.jeopardy}**.`) +
      (this.falloutsOpen > 0 ? ` ${this.falloutsOpen} fall-out case(s) open.` : '');
    setCurrentDetails(
      `${this.label.name} is \`${this.state}\`: ${completed}/${total} ${this.label.children} completed, ${running} running, ${failed} failed.${risk}`,
    );
  }

  /** Raises the jeopardy shown in the Temporal UI (never lowers it); true when it rose. */
  raiseJeopardy(level: JeopardyLevel): boolean {
    if (jeopardyLevels.indexOf(level) <= jeopardyLevels.indexOf(this.jeopardy)) return false;
    this.jeopardy = level;
    upsertSearchAttributes([{ key: Jeopardy, value: level }]);
    this.report();
    return true;
  }

  /** Counts fall-out cases opened (+1) or resolved (−1) below, and shows `FalloutOpen` when it flips. */
  countFallouts(delta: number): void {
    const before = this.falloutsOpen > 0;
    this.falloutsOpen = Math.max(0, this.falloutsOpen + delta);
    if (before !== this.falloutsOpen > 0) {
      upsertSearchAttributes([{ key: FalloutOpen, value: this.falloutsOpen > 0 }]);
      this.report();
    }
  }

  /**
   * Shows the new state (search attributes, details); the order also carries it as `OrderState`. Without
   * `upsert` only the query and the details change: the search attribute shows it already (a child
   * started with it, see `childStart`).
   */
  show(to: S, { upsert = true } = {}): void {
    this.state = to;
    if (upsert)
      upsertSearchAttributes([
        { key: State, value: to },
        ...(this.entity === 'order' ? [{ key: OrderState, value: to }] : []),
      ]);
    this.report();
  }

  /**
   * Records the move in the database and the audit trail (once per workflow, state and `occasion`: a
   * state the node returns to, as after a hold, needs its own), then shows it.
   */
  async move(
    to: S,
    occasion = '',
    details?: Record<string, unknown>,
    /** The caller whose request made the move (hold, resume, cancel); the workflow itself otherwise. */
    by?: { subject: string; role: string },
  ): Promise<void> {
    const { workflowId } = workflowInfo();
    await bookkeeping.recordTransition({
      entity: this.entity,
      id: this.id,
      to,
      details,
      eventKey: `${workflowId}:${to}${occasion ? `:${occasion}` : ''}`,
      actor: by?.subject ?? workflowId,
      ...(by ? { actorRole: by.role } : {}),
    });
    this.show(to);
  }

  /** Runs one child, counting it as running, then completed or failed. */
  async track<T>(run: () => Promise<T>, succeeded: (result: T) => boolean): Promise<T> {
    this.progress.running++;
    this.report();
    try {
      const result = await run();
      if (succeeded(result)) this.progress.completed++;
      else this.progress.failed++;
      return result;
    } finally {
      this.progress.running--;
      this.report();
    }
  }
}
