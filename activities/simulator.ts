import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { simulatorCalls, simulatorFaults } from '../db/schema';

/** Failure types the workflows match on; a downstream refusal is never retried by the activity itself. */
export const DOWNSTREAM_ERROR = 'DownstreamError';
export const DOWNSTREAM_TIMEOUT = 'DownstreamTimeout';

export interface DownstreamCall {
  system: string;
  operation: string;
  taskCode?: string;
  /** Derived from the workflow and the step: a repeated call returns the first answer and does nothing twice. */
  idempotencyKey: string;
  payload?: Record<string, unknown>;
}

export interface DownstreamResponse {
  reference: string;
  system: string;
  operation: string;
}

/**
 * The built-in downstream simulator, standing in for the OSS/BSS systems (carrier gateway, inventory,
 * logistics, billing...). State lives in the database so that faults set through the API reach every
 * worker process. It never fails at random: only the faults asked for through `POST /simulator/faults`.
 */
export class DownstreamSimulator {
  constructor(
    private readonly db: Db,
    private readonly latencyMs: number,
  ) {}

  async call(request: DownstreamCall): Promise<DownstreamResponse> {
    const done = await this.db.query.simulatorCalls.findFirst({
      where: eq(simulatorCalls.idempotencyKey, request.idempotencyKey),
    });
    if (done) return done.response as DownstreamResponse;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (request.taskCode) await this.failIfFaultInjected(request.taskCode, request.system);
    const response: DownstreamResponse = {
      reference: `${request.system}-${randomUUID().slice(0, 8)}`,
      system: request.system,
      operation: request.operation,
    };
    const [stored] = await this.db
      .insert(simulatorCalls)
      .values({ ...request, taskCode: request.taskCode ?? null, response })
      .onConflictDoUpdate({
        target: simulatorCalls.idempotencyKey,
        set: { idempotencyKey: request.idempotencyKey },
      })
      .returning({ response: simulatorCalls.response });
    return stored.response as DownstreamResponse;
  }

  /** Consumes one injected fault for `taskCode`, atomically, and throws it. */
  private async failIfFaultInjected(taskCode: string, system: string): Promise<void> {
    const [fault] = await this.db
      .update(simulatorFaults)
      .set({ remaining: sql`${simulatorFaults.remaining} - 1` })
      .where(and(eq(simulatorFaults.taskCode, taskCode), gt(simulatorFaults.remaining, 0)))
      .returning({ mode: simulatorFaults.mode });
    if (!fault) return;
    const type = fault.mode === 'timeout' ? DOWNSTREAM_TIMEOUT : DOWNSTREAM_ERROR;
    throw ApplicationFailure.create({
      type,
      nonRetryable: true,
      message: `${system} ${fault.mode === 'timeout' ? 'did not answer in time' : 'refused the request'} (injected fault on ${taskCode})`,
    });
  }

  async injectFault(taskCode: string, count: number, mode: 'error' | 'timeout'): Promise<void> {
    await this.db
      .insert(simulatorFaults)
      .values({ taskCode, remaining: count, mode })
      .onConflictDoUpdate({ target: simulatorFaults.taskCode, set: { remaining: count, mode } });
  }
}
