import { TypedSearchAttributes } from '@temporalio/common';
import {
  getExternalWorkflowHandle,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
  type SignalDefinition,
  type WithWorkflowArgs,
  type Workflow,
  type WorkflowResultType,
} from '@temporalio/workflow';
import { withSummary } from './activity-proxies';
import { controlSignal, type Compensation, type Control } from './contracts';
import type { NodeOutcome } from './dag';
import { CustomerId, Domain, OrderId, State } from './search-attributes';

/** The patch under which orders start their children with `State` `inProgress` shown; see `childStart`. */
export const SHOWN_IN_PROGRESS_AT_START = 'shown-in-progress-at-start';

/**
 * How a sub-order or domain order is started. An order past the patch `shown-in-progress-at-start`
 * (decided once, by `patched()` in the order workflow, and handed down the tree in each child's input, so
 * sub-orders record no patch marker of their own) starts its children with `State` `inProgress` shown:
 * a child moves there in its first workflow task, unless retired, and upserts no state at its start. One
 * search-attribute upsert, one history event and one visibility write fewer per child (four per on-net
 * site). A history recorded before the patch replays as it ran: the order's `patched()` is false there,
 * its children start `acknowledged` and upsert.
 */
export function childStart(
  orderId: string,
  customerId: string,
  shownInProgress: boolean | undefined,
  domain?: string,
): { shownInProgress?: true; typedSearchAttributes: TypedSearchAttributes } {
  const state = shownInProgress ? 'inProgress' : 'acknowledged';
  return {
    ...(shownInProgress ? { shownInProgress: true } : {}),
    typedSearchAttributes: childSearchAttributes(orderId, customerId, state, domain),
  };
}

/** Search attributes every child workflow of an order starts with. */
export function childSearchAttributes(
  orderId: string,
  customerId: string,
  state: string,
  domain?: string,
): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: OrderId, value: orderId },
    { key: CustomerId, value: customerId },
    { key: State, value: state },
    ...(domain ? [{ key: Domain, value: domain }] : []),
  ]);
}

/** Signals each workflow at once; one that has closed meanwhile needs no word. */
export async function signalEach<T>(
  workflowIds: string[],
  signal: SignalDefinition<[T]>,
  arg: T,
): Promise<void> {
  await Promise.all(
    workflowIds.map((id) =>
      getExternalWorkflowHandle(id)
        .signal(signal, arg)
        .catch(() => undefined),
    ),
  );
}

/** How a child's outcome counts in the roll-up: a child that never ran because a dependency failed has failed. */
export function itemStateOf(
  outcome: NodeOutcome | string,
): 'completed' | 'failed' | 'cancelled' | 'skipped' | 'moving' {
  switch (outcome) {
    case 'completed':
      return 'completed';
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/**
 * Hold, resume and cancel, as an order's workflows pass them down: each keeps the control it was told,
 * and tells every child it is running, and every child it starts from then on.
 */
export class ControlRelay {
  readonly control: Control = { held: false, cancelled: false };
  private readonly running = new Set<string>();

  /** Listens for `control` from the parent; `onChange` runs after the new control is passed down. */
  constructor(onChange?: (before: Control) => void | Promise<void>) {
    setHandler(controlSignal, async (next) => {
      const before = { ...this.control };
      await this.apply(next);
      await onChange?.(before);
    });
  }

  /** Takes a new control (a cancel stays) and passes it to the running children. */
  async apply(next: Partial<Control>): Promise<void> {
    if (next.held !== undefined) this.control.held = next.held;
    if (next.cancelled) this.control.cancelled = true;
    if (next.retire) this.control.retire = true;
    await Promise.all(
      [...this.running].map((id) =>
        getExternalWorkflowHandle(id)
          .signal(controlSignal, { ...this.control })
          .catch(() => undefined),
      ),
    );
  }

  /** Runs a child workflow, telling it the control when it is not the default. */
  async child<W extends Workflow>(
    workflow: W,
    options: WithWorkflowArgs<W, ChildWorkflowOptions> & { workflowId: string },
  ): Promise<WorkflowResultType<W>> {
    const start = startChild as (w: W, o: typeof options) => Promise<ChildWorkflowHandle<W>>;
    const handle = await start(workflow, options);
    this.running.add(handle.workflowId);
    try {
      if (this.control.held || this.control.cancelled)
        await handle.signal(controlSignal, { ...this.control });
      return await handle.result();
    } finally {
      this.running.delete(handle.workflowId);
    }
  }
}

/** Runs compensating actions in the order given (latest work first), each once, each with its summary. */
export async function compensate(
  steps: Compensation[],
  customerId: string,
  why: (step: Compensation) => string = (step) => step.taskId,
): Promise<void> {
  for (const step of steps) {
    await withSummary('compensateTask', `${step.action} for ${step.code} (${why(step)})`, step, customerId);
  }
}
