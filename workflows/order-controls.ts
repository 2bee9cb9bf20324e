import { condition, setHandler } from '@temporalio/workflow';
import { failure, FailureType } from '../domain/failures';
import type { OrderState } from '../domain/states';
import { withSummary } from './activity-proxies';
import {
  abortSignal,
  amendUpdate,
  cancelUpdate,
  controlSignal,
  holdUpdate,
  type OrderControlRequest,
  resumeUpdate,
  workflowId,
  type AmendmentEffects,
  type FulfilmentSettings,
  type OrderCarry,
} from './contracts';
import type { FulfilmentNode } from './fulfilment-node';
import { signalEach, type ControlRelay } from './shared';

/** The order's refusals carry their error details (the API answers them with the 409). */
const invalidState = (message: string, details: unknown[] = []) =>
  failure(FailureType.InvalidState, message, details);

/** A fall-out resolved with `abort`: the order stops, compensates, and ends failed or partial. */
export interface Abort {
  caseId: string;
  taskId: string;
  by: string;
}

/**
 * What people ask of a running order, and the state those requests share with the order's run: hold and
 * resume, cancellation (assessed against the points of no return first), amendments, and the abort a
 * fall-out sends up. Each update's validator refuses (409) what does not fit the order's state, before
 * anything is recorded; every control is passed down to the running sub-orders and domain orders.
 */
export class OrderControls {
  /** What this run works through: set once the order is decomposed or carried over; amendments change it. */
  carry: OrderCarry | undefined;
  /** Why the order was cancelled, once it was. */
  cancelReason = '';
  /** The fall-out resolution that aborted the order, if one did. */
  aborted: Abort | undefined;
  /** Amendments being applied: no sub-order starts meanwhile, and the order does not close. */
  amending = 0;
  /** The order is closing: too late to amend it. */
  closing = false;

  constructor(
    private readonly orderId: string,
    private readonly settings: FulfilmentSettings,
    private readonly node: FulfilmentNode<OrderState>,
    private readonly relay: ControlRelay,
    /** How many holds, resumes and cancellations the order has seen (each move its own audit key). */
    public moves = 0,
  ) {
    setHandler(abortSignal, (abort) => this.abort(abort));
    this.holdSwitch(holdUpdate, 'inProgress', 'held', 'only an order in progress can be held');
    this.holdSwitch(resumeUpdate, 'held', 'inProgress', 'only a held order can be resumed');
    setHandler(cancelUpdate, ({ reason, by }) => this.cancel(reason, by), {
      validator: (_request: OrderControlRequest) => {
        if (!['acknowledged', 'inProgress', 'held'].includes(node.state))
          throw invalidState(`Order ${orderId} is ${node.state}; it cannot be cancelled now`);
      },
    });
    setHandler(amendUpdate, ({ amendmentId }) => this.amend(amendmentId), {
      validator: (_request: { amendmentId: string }) => {
        if (!['inProgress', 'held'].includes(node.state) || this.closing || relay.control.cancelled)
          throw invalidState(
            `Order ${orderId} is ${this.closing ? 'closing' : node.state}; it can no longer be amended`,
          );
      },
    });
  }

  private get control() {
    return this.relay.control;
  }

  /** A fall-out was aborted below: the order is called off like a cancellation, then fails. */
  private async abort(abort: Abort): Promise<void> {
    if (this.aborted || this.control.cancelled) return;
    this.aborted = abort;
    await this.relay.apply({ cancelled: true });
  }

  /** Hold and resume: a move between two states, passed down to every running child. */
  private holdSwitch(update: typeof holdUpdate, from: OrderState, to: OrderState, rule: string): void {
    setHandler(
      update,
      async ({ reason, by }) => {
        await this.node.move(to, `${++this.moves}`, { reason }, by);
        await this.relay.apply({ held: to === 'held' });
        return { state: this.node.state };
      },
      {
        validator: (_request: OrderControlRequest) => {
          if (this.node.state !== from)
            throw invalidState(`Order ${this.orderId} is ${this.node.state}; ${rule}`);
        },
      },
    );
  }

  /**
   * Assessed, not applied: past a point of no return the cancellation is refused and the order goes back
   * to where it was; otherwise it goes `pendingCancellation` and everything below is called off.
   */
  private async cancel(
    reason: string | undefined,
    by: OrderControlRequest['by'],
  ): Promise<{ state: string }> {
    const { node, orderId } = this;
    const before = node.state;
    const wasHeld = this.control.held;
    await node.move('assessingCancellation', `${++this.moves}`, { reason }, by);
    await this.relay.apply({ held: true }); // nothing new starts while the order is assessed
    const passed = await withSummary(
      'assessCancellation',
      'Check every item against its point of no return',
      orderId,
    );
    if (passed.length > 0) {
      await node.move(before, `${++this.moves}`, { cancellationRefused: passed });
      await this.relay.apply({ held: wasHeld });
      const items = [...new Set(passed.flatMap((p) => p.items))];
      throw invalidState(
        `Order ${orderId} cannot be cancelled: ${items.join(', ')} passed the milestone pointOfNoReturn ` +
          `(${passed.map((p) => `${p.code} ${p.state}`).join(', ')}); it stays ${before}`,
        passed.map((p) => ({
          field: 'items',
          rule: 'pointOfNoReturn',
          message: `${p.items.join(', ')}: ${p.code} ${p.state}`,
        })),
      );
    }
    this.cancelReason = reason ?? 'cancelled by the customer';
    await node.move('pendingCancellation', `${++this.moves}`, { reason }, by);
    await this.relay.apply({ cancelled: true });
    return { state: node.state };
  }

  /**
   * Amendments (supplemental orders): the running plan freezes while the change is applied; new sites
   * join the window, domain orders whose items were removed stop and undo their work, the rest goes on.
   */
  private async amend(amendmentId: string): Promise<AmendmentEffects & { state: string }> {
    this.amending++;
    const wasHeld = this.control.held;
    try {
      await this.relay.apply({ held: true });
      await condition(() => this.carry !== undefined);
      const effects = await withSummary(
        'applyAmendment',
        `Apply amendment ${amendmentId} to the running plan`,
        amendmentId,
        this.settings.minuteMs,
      );
      await signalEach(effects.retiredDomainOrderIds.map(workflowId.domainOrder), controlSignal, {
        held: false,
        cancelled: true,
        retire: true,
      });
      const carry = this.carry!;
      const ids = carry.subOrderIds;
      for (const removed of effects.removedSubOrderIds) {
        const at = ids.indexOf(removed);
        if (at >= carry.next) ids.splice(at, 1); // not started yet: it never will be
      }
      ids.push(...effects.newSubOrderIds);
      this.node.progress.total = ids.length;
      this.node.report();
      await withSummary('completeAmendment', `Amendment ${amendmentId} applied`, amendmentId);
      return { ...effects, state: this.node.state };
    } finally {
      await this.relay.apply({ held: wasHeld });
      this.amending--;
    }
  }
}
