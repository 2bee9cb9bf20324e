/**
 * A stand-in for the Temporal client with only what the API's services call: each call is recorded, and
 * `answer` decides what it returns or throws. Tests of the API alone see which workflow a request started,
 * updated or signalled, and that a refused request touched none.
 */
import type { Client } from '@temporalio/client';

export interface TemporalCall {
  method: 'start' | 'executeUpdateWithStart' | 'executeUpdate' | 'signal' | 'terminate' | 'getSystemInfo';
  workflowId: string;
  /** The workflow type started, or the update or signal sent. */
  name: string;
  args: unknown[];
}

interface Named {
  name: string;
}

export class FakeTemporal {
  readonly calls: TemporalCall[] = [];
  /** Returns each call's result or throws; by default every call succeeds with no result. */
  answer: (call: TemporalCall) => unknown = () => undefined;

  readonly options = { namespace: 'fake' };
  readonly connection = {
    workflowService: {
      getSystemInfo: () => this.record({ method: 'getSystemInfo', workflowId: '', name: '', args: [] }),
    },
  };
  readonly workflow = {
    start: (type: string, options: { workflowId: string; args?: unknown[] }) =>
      this.record({ method: 'start', workflowId: options.workflowId, name: type, args: options.args ?? [] }),
    executeUpdateWithStart: (
      update: Named,
      options: { startWorkflowOperation: { options: { workflowId: string; args?: unknown[] } } },
    ) => {
      const start = options.startWorkflowOperation.options;
      return this.record({
        method: 'executeUpdateWithStart',
        workflowId: start.workflowId,
        name: update.name,
        args: start.args ?? [],
      });
    },
    getHandle: (workflowId: string) => ({
      executeUpdate: (update: Named, options: { args?: unknown[] } = {}) =>
        this.record({ method: 'executeUpdate', workflowId, name: update.name, args: options.args ?? [] }),
      signal: (signal: Named, ...args: unknown[]) =>
        this.record({ method: 'signal', workflowId, name: signal.name, args }),
      terminate: (reason?: string) =>
        this.record({ method: 'terminate', workflowId, name: 'terminate', args: [reason] }),
    }),
  };

  /** This fake where the app expects a client: it has every member the services use. */
  get client(): Client {
    return this as unknown as Client;
  }

  /** The calls that started, updated or signalled a workflow (what a refused request must not do). */
  get effects(): TemporalCall[] {
    return this.calls.filter((c) => c.method !== 'getSystemInfo' && c.method !== 'terminate');
  }

  reset(): void {
    this.calls.length = 0;
    this.answer = () => undefined;
  }

  private async record(call: TemporalCall): Promise<unknown> {
    this.calls.push(call);
    return this.answer(call);
  }
}
