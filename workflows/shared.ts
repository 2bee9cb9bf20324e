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
