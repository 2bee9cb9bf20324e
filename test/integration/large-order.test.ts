import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../db/schema';
import { workflowId } from '../../workflows/contracts';
import { startHarness, type Harness } from '../harness';
import { orderFor, orderInState, site } from '../lifecycle';

const SITES = 50;
const WINDOW = 12;
const HISTORY_LIMIT = 150;

let h: Harness;
beforeAll(async () => {
  // A narrow sub-order window and a low history limit, so that 50 sites take the batching and the
  // continue-as-new paths that a 1,000-site order takes with the production settings.
  h = await startHarness({ fulfilment: { maxSubOrdersInFlight: WINDOW, historyLimit: HISTORY_LIMIT } });
});
afterAll(async () => {
  await h?.stop();
});

describe(`a ${SITES}-site order`, () => {
  it('completes through bounded batches and continue-as-new, throttled per order, with small histories', async () => {
    const members = Array.from({ length: SITES }, (_, i) => site(`s${i + 1}`, `Branch ${i + 1}`));
    const { orderId } = await orderFor(h, {
      members,
      items: members.map((m) => ({ offeringCode: 'ONNET_DIA', appliesTo: { member: m.ref } })),
    });
    // A deadline, not a speed target: on a machine busy with other work the 50 sites take longer.
    const tree = await orderInState(h, orderId, 'completed', 150_000);
    expect(tree.subOrders).toHaveLength(SITES);
    expect(tree.progress).toMatchObject({ tasks: SITES * 5, completed: SITES * 5 });

    // Throttle lanes: each port activation started only after the one it queued behind had finished.
    const all = await h.database.db.select().from(tasks).where(eq(tasks.orderId, orderId));
    const byId = new Map(all.map((t) => [t.id, t]));
    const throttled = all.filter((t) => t.throttledAfter.length > 0);
    expect(throttled).toHaveLength(SITES - 20);
    for (const t of throttled)
      for (const before of t.throttledAfter)
        expect(byId.get(before)!.completedAt! <= t.startedAt!).toBe(true);

    // The order workflow continued as new; no run of it ever held more than the window of children, and
    // no workflow of the order has a history above a small bound.
    const runs: { status: string; historyLength: number }[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId='${workflowId.order(orderId)}'` }))
      runs.push({ status: wf.status.name, historyLength: wf.historyLength });
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length).toBe(runs.length - 1);
    const longest = Math.max(...runs.map((r) => r.historyLength));
    // The limit plus the drain of one window (a few events per finishing child).
    expect(longest).toBeLessThan(HISTORY_LIMIT + WINDOW * 8);
    const handle = h.client.workflow.getHandle(workflowId.order(orderId));
    expect(await handle.result()).toBe('completed');
  }, 180_000);
});
