import { randomUUID } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { simulatorCalls, simulatorFaults, simulatorSystems } from '../db/schema';
import { FailureType, refusal } from '../domain/failures';

/** The checks of order approval, which a fault with mode `refuse` makes answer no. */
export const approvalChecks = ['CREDIT_CHECK', 'FEASIBILITY_CHECK'];

export interface DownstreamCall {
  system: string;
  operation: string;
  taskCode?: string;
  /** The customer the call is for: a fault may be aimed at one customer. */
  accountId?: string;
  /** Derived from the workflow and the step: a repeated call returns the first answer and does nothing twice. */
  idempotencyKey: string;
  payload?: Record<string, unknown>;
}

export interface DownstreamResponse {
  reference: string;
  system: string;
  operation: string;
  /** A check (credit, feasibility) answered no, with the system's reason. */
  refused?: string;
  configured?: unknown;
}

/** The checks of order approval (stage 5), as the credit bureau and the feasibility system answer them. */
export interface CreditCheck {
  accountId: string;
  /** One-off charges plus three months of recurring charges. */
  exposure: number;
  creditLimit: number | null;
}
export interface FeasibilityCheck {
  accountId: string;
  siteName: string;
  address: string | null;
  offerings: string[];
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
    const refused = request.taskCode
      ? await this.failIfFaultInjected(request.taskCode, request.system, request.accountId ?? '')
      : null;
    const response: DownstreamResponse = {
      reference: `${request.system}-${randomUUID().slice(0, 8)}`,
      system: request.system,
      operation: request.operation,
      ...(refused ? { refused } : {}),
      // The system echoes the configuration it applied.
      ...(request.payload?.configuration ? { configured: request.payload.configuration } : {}),
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

  /** Throws `SystemOffline` (non-retryable) when the system is marked offline. */
  async ensureOnline(system: string): Promise<void> {
    const row = await this.db.query.simulatorSystems.findFirst({
      where: eq(simulatorSystems.system, system),
    });
    if (row?.offline) throw refusal(FailureType.SystemOffline, `${system} is offline since ${row.since}`);
  }

  async isOnline(system: string): Promise<boolean> {
    const row = await this.db.query.simulatorSystems.findFirst({
      where: eq(simulatorSystems.system, system),
    });
    return !row?.offline;
  }

  async setOffline(system: string, offline: boolean): Promise<void> {
    await this.db
      .insert(simulatorSystems)
      .values({ system, offline, since: new Date().toISOString() })
      .onConflictDoUpdate({
        target: simulatorSystems.system,
        set: { offline, since: new Date().toISOString() },
      });
  }

  /** The credit bureau: refuses an exposure above the account's credit limit (none: no limit). */
  async creditCheck(check: CreditCheck, idempotencyKey: string): Promise<DownstreamResponse> {
    const response = await this.call({
      system: 'credit-bureau',
      operation: 'CREDIT_CHECK',
      taskCode: 'CREDIT_CHECK',
      accountId: check.accountId,
      idempotencyKey,
      payload: { ...check },
    });
    if (response.refused || check.creditLimit === null || check.exposure <= check.creditLimit)
      return response;
    return {
      ...response,
      refused: `exposure ${check.exposure.toFixed(2)} exceeds the credit limit ${check.creditLimit.toFixed(2)}`,
    };
  }

  /** The feasibility system: a site it cannot survey (no address) cannot be served. */
  async feasibility(check: FeasibilityCheck, idempotencyKey: string): Promise<DownstreamResponse> {
    const response = await this.call({
      system: 'feasibility',
      operation: 'FEASIBILITY_CHECK',
      taskCode: 'FEASIBILITY_CHECK',
      accountId: check.accountId,
      idempotencyKey,
      payload: { ...check },
    });
    if (response.refused || check.address) return response;
    return { ...response, refused: `site "${check.siteName}" has no address to survey` };
  }

  /**
   * Consumes one injected fault for `taskCode`, atomically: `error` and `timeout` are thrown, `refuse`
   * (for checks) is returned as the system's negative answer.
   */
  private async failIfFaultInjected(
    taskCode: string,
    system: string,
    accountId: string,
  ): Promise<string | null> {
    // A fault aimed at this customer goes first, then one for every customer.
    const [fault] = await this.db
      .update(simulatorFaults)
      .set({ remaining: sql`${simulatorFaults.remaining} - 1` })
      .where(
        and(
          eq(simulatorFaults.taskCode, taskCode),
          gt(simulatorFaults.remaining, 0),
          eq(
            simulatorFaults.accountId,
            sql`(select account_id from simulator_faults where task_code = ${taskCode} and remaining > 0
                 and account_id in ('', ${accountId}) order by account_id desc limit 1)`,
          ),
        ),
      )
      .returning({ mode: simulatorFaults.mode });
    if (!fault) return null;
    if (fault.mode === 'refuse') return `${system} refused (injected refusal on ${taskCode})`;
    const timeout = fault.mode === 'timeout';
    throw refusal(
      timeout ? FailureType.DownstreamTimeout : FailureType.DownstreamError,
      `${system} ${timeout ? 'did not answer in time' : 'refused the request'} (injected fault on ${taskCode})`,
    );
  }

  async injectFault(
    taskCode: string,
    count: number,
    mode: 'error' | 'timeout' | 'refuse',
    accountId = '',
  ): Promise<void> {
    await this.db
      .insert(simulatorFaults)
      .values({ taskCode, accountId, remaining: count, mode })
      .onConflictDoUpdate({
        target: [simulatorFaults.taskCode, simulatorFaults.accountId],
        set: { remaining: count, mode },
      });
  }
}
