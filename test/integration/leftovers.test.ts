/**
 * The leftover check `npm run fuzz` runs after Schemathesis (scripts/leftovers.ts), on the real stack:
 * a whole order leaves nothing; a workflow started without its order, and an order row without its
 * workflow, are each found.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '../../db/schema';
import { findLeftovers } from '../../scripts/leftovers';
import { defaultFulfilmentSettings, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('what a request may leave behind', () => {
  it('finds nothing after a whole order, and finds an orphan workflow and an order without one', async () => {
    const { orderId } = await orderFor(h, {});
    const tag = randomUUID().slice(0, 8).toUpperCase();
    const [unstored, unstarted] = [`ORD-ORPHAN1${tag}`, `ORD-ORPHAN2${tag}`];
    const mine = (found: string[]) => found.filter((l) => l.includes(tag) || l.includes(orderId));
    expect(mine(await findLeftovers(h.database.db, h.client, h.taskQueue))).toEqual([]);

    // A run whose order never committed (what an API killed before its commit leaves, never retried).
    const orphan = await h.client.workflow.start('order', {
      workflowId: workflowId.order(unstored),
      taskQueue: h.taskQueue,
      args: [{ orderId: unstored, customerId: 'ACC-NONE', settings: defaultFulfilmentSettings }],
    });
    // An order's rows with no workflow (what no code path of the API writes).
    const [row] = await h.database.db.select().from(orders).where(eq(orders.id, orderId));
    await h.database.db
      .insert(orders)
      .values({ ...row, id: unstarted, quoteId: `Q-${tag}`, idempotencyKey: null });
    try {
      // Visibility may list a new run a moment after its start.
      const found = await eventually(async () => {
        const all = mine(await findLeftovers(h.database.db, h.client, h.taskQueue)).sort();
        return all.length >= 5 ? all : undefined;
      }, 'the leftovers found');
      expect(found).toEqual([
        `order ${unstarted} has no creation in its audit trail`,
        `order ${unstarted} has no item`,
        `order ${unstarted} has no sub-order`,
        `order ${unstarted} has no workflow`,
        `workflow order:${unstored} runs, but order ${unstored} was never committed`,
      ]);
    } finally {
      await orphan.terminate('test over');
      await h.database.db.delete(orders).where(eq(orders.id, unstarted));
    }
  });
});
