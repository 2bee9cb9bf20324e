/** A node of a dependency graph: it runs once everything it depends on has completed. */
export interface DagNode {
  id: string;
  dependsOn: string[];
}
export type NodeOutcome = 'completed' | 'failed' | 'skipped' | 'cancelled' | 'notRun';

/** A FIFO counting semaphore from plain promises, deterministic inside a workflow. */
export class Semaphore {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/**
 * Runs every node as soon as all its dependencies (among `nodes`) completed, in parallel where the graph
 * allows and at most `limit` at once. A node whose dependency did not complete is not run. Dependencies
 * outside `nodes` are the caller's to wait for. The graph is acyclic: the catalog loader guarantees it.
 */
export async function runDag<N extends DagNode>(
  nodes: N[],
  run: (node: N) => Promise<NodeOutcome>,
  limit: number,
): Promise<Map<string, NodeOutcome>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const semaphore = new Semaphore(limit);
  const started = new Map<string, Promise<NodeOutcome>>();
  const outcomeOf = (id: string): Promise<NodeOutcome> => {
    let promise = started.get(id);
    if (!promise) {
      const node = byId.get(id)!;
      promise = (async () => {
        const deps = await Promise.all(node.dependsOn.filter((d) => byId.has(d)).map(outcomeOf));
        if (deps.some((d) => d !== 'completed' && d !== 'skipped')) return 'notRun';
        return semaphore.with(() => run(node));
      })();
      started.set(id, promise);
    }
    return promise;
  };
  const outcomes = await Promise.all(nodes.map((n) => outcomeOf(n.id)));
  return new Map(nodes.map((n, i) => [n.id, outcomes[i]]));
}
