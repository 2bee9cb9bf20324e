/**
 * The benchmark's yardsticks (`npm run bench`), bundled on their own and never by the product's worker.
 *
 * The structural floor: the engine's own workflow tree for an order with no-op bodies. An order runs its
 * sub-orders as children in the engine's sliding window; a sub-order runs its domain orders as children,
 * each after the ones it depends on; a domain order runs one no-op activity per api task, each after the
 * tasks it depends on. What the engine spends beyond this is its own work: state, audit, plan, calls.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/** One site's tree: its domain orders, each with the domain orders and tasks it waits for (by index). */
export interface FloorShape {
  domainOrders: { after: number[]; tasks: { after: number[] }[] }[];
}

/** Runs a DAG: each node once its predecessors are done, as many at once as the graph allows. */
async function runGraph(nodes: { after: number[] }[], run: (i: number) => Promise<unknown>): Promise<void> {
  const started = new Map<number, Promise<unknown>>();
  const start = (i: number): Promise<unknown> => {
    let p = started.get(i);
    if (!p) {
      p = Promise.all(nodes[i].after.map(start)).then(() => run(i));
      started.set(i, p);
    }
    return p;
  };
  await Promise.all(nodes.map((_, i) => start(i)));
}

export async function floorDomainOrder(tasks: { after: number[] }[]): Promise<void> {
  await runGraph(tasks, () => noop());
}

export async function floorSubOrder(id: string, shape: FloorShape): Promise<void> {
  await runGraph(shape.domainOrders, (i) =>
    executeChild(floorDomainOrder, { workflowId: `${id}-D${i}`, args: [shape.domainOrders[i].tasks] }),
  );
}

/** `sites` sub-orders, at most `window` running at once (the engine's `maxSubOrdersInFlight`). */
export async function floorOrder(
  id: string,
  sites: number,
  shape: FloorShape,
  window: number,
): Promise<void> {
  const running = new Set<Promise<void>>();
  for (let next = 0; next < sites || running.size > 0;) {
    while (next < sites && running.size < window) {
      const subOrderId = `${id}-S${next++}`;
      const child: Promise<void> = executeChild(floorSubOrder, {
        workflowId: subOrderId,
        args: [subOrderId, shape],
      }).then(() => void running.delete(child));
      running.add(child);
    }
    await Promise.race(running);
  }
}
