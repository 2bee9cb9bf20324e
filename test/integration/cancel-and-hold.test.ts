import { and, asc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, domainOrders, productInventory, simulatorCalls, tasks } from '../../db/schema';
import { statusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor, orderInState, runningTask, site } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const oneSite = (offeringCode: string) => ({
  members: [site('ham', 'Hamburg HQ')],
  items: [{ offeringCode, appliesTo: { member: 'ham' } }],
});

async function taskByCode(orderId: string, code: string) {
  const [t] = await h.database.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.orderId, orderId), eq(tasks.code, code)));
  return t;
}

async function orderTrail(orderId: string) {
  const events = await h.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, orderId), eq(auditEvents.entityType, 'order')))
    .orderBy(asc(auditEvents.id));
  return events.map((e) => e.toState);
}

describe('hold and resume', () => {
  it('starts no new task while held, lets the running one finish, and resumes where it stopped', async () => {
    const { orderId } = await orderFor(h, oneSite('MANAGED_FIREWALL'));
    const policy = await runningTask(h, orderId, 'manual');

    const held = await h.http('POST', `/orders/${orderId}/hold`, {
      reason: 'customer moving the server room',
    });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.state).toBe('held');
    const again = await h.http('POST', `/orders/${orderId}/hold`);
    expect(again.status, JSON.stringify(again.body)).toBe(409);

    // The running task finishes; what depends on it does not start.
    expect((await h.by('secops')('POST', `/tasks/${policy}/complete`, {})).status).toBe(202);
    await eventually(
      async () =>
        (await taskByCode(orderId, 'APPLY_FIREWALL_POLICY')).state === 'completed' ? true : undefined,
      'the running task to complete',
    );
    // Its successor's domain order is ready and waits on the hold alone: the sub-order's query says so,
    // then nothing has started it (a condition with a deadline, not a sleep).
    const successor = await taskByCode(orderId, 'ENROL_SOC_MONITORING');
    const [{ subOrderId }] = await h.database.db
      .select()
      .from(domainOrders)
      .where(eq(domainOrders.id, successor.domainOrderId));
    const subOrder = h.client.workflow.getHandle(workflowId.subOrder(subOrderId));
    await eventually(
      async () => ((await subOrder.query(statusQuery)).waitingOnHold ?? 0) >= 1 || undefined,
      'the next domain order to wait on the hold',
    );
    expect((await taskByCode(orderId, 'ENROL_SOC_MONITORING')).state).toBe('pending');
    expect((await h.http('GET', `/orders/${orderId}`)).body.state).toBe('held');

    const resumed = await h.http('POST', `/orders/${orderId}/resume`, { reason: 'room ready' });
    expect(resumed.body.state).toBe('inProgress');
    await orderInState(h, orderId, 'completed');
    expect(await orderTrail(orderId)).toEqual([
      'acknowledged',
      'inProgress',
      'held',
      'inProgress',
      'completed',
    ]);
  });
});

describe('cancellation', () => {
  it('compensates the work done, latest first, once each, and rolls back the inventory', async () => {
    const { orderId } = await orderFor(h, oneSite('SDWAN_SITE'));
    // Wait until both field visits are dispatched: line activated, edge reserved and shipped.
    await eventually(async () => {
      const res = await h.http('GET', `/tasks?orderId=${orderId}&kind=field&state=running`);
      return res.body.tasks.length === 2 ? true : undefined;
    }, 'both field visits dispatched');

    const cancelled = await h.http('POST', `/orders/${orderId}/cancel`, {
      reason: 'customer went elsewhere',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(cancelled.body.state).toBe('pendingCancellation');
    const second = await h.http('POST', `/orders/${orderId}/cancel`);
    expect(second.status).toBe(409);

    const tree = await orderInState(h, orderId, 'cancelled');
    expect(tree.subOrders.map((s: { state: string }) => s.state)).toEqual(['cancelled']);
    const all = tree.subOrders[0].domainOrders.flatMap((d: { tasks: { state: string }[] }) => d.tasks);
    expect(all.every((t: { state: string }) => t.state === 'cancelled')).toBe(true);

    // One compensating call per completed task, in reverse order of completion.
    const calls = await h.database.db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`))
      .orderBy(asc(simulatorCalls.at));
    const operations = calls.map((c) => c.operation);
    expect([...operations].sort()).toEqual([
      'CANCEL_BILLING_SUBSCRIPTION',
      'DEACTIVATE_BROADBAND_LINE',
      'RECALL_SHIPPED_DEVICE',
      'RELEASE_SDWAN_EDGE',
    ]);
    const [ship, reserve] = [
      await taskByCode(orderId, 'SHIP_SDWAN_EDGE'),
      await taskByCode(orderId, 'RESERVE_SDWAN_EDGE'),
    ];
    expect(reserve.completedAt! < ship.completedAt!).toBe(true);
    // The device shipped after it was reserved: recalled before the reservation is released.
    expect(operations.indexOf('RECALL_SHIPPED_DEVICE')).toBeLessThan(
      operations.indexOf('RELEASE_SDWAN_EDGE'),
    );
    const inventory = await h.database.db
      .select()
      .from(productInventory)
      .where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => p.state)).toEqual(['cancelled']);
    expect(await orderTrail(orderId)).toEqual([
      'acknowledged',
      'inProgress',
      'assessingCancellation',
      'pendingCancellation',
      'cancelled',
    ]);
    // The technicians' visits were called back: their workflows ended.
    const visits = await h.http('GET', `/tasks?orderId=${orderId}&kind=field&state=running`);
    expect(visits.body.tasks).toEqual([]);
  });

  it('refuses once a carrier circuit is ordered, naming the items and the milestone, and goes back', async () => {
    const { orderId } = await orderFor(h, oneSite('DIA_1G'));
    await runningTask(h, orderId, 'field'); // the NTU visit: the carrier order completed before it
    const refused = await h.http('POST', `/orders/${orderId}/cancel`, { reason: 'budget cut' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/pointOfNoReturn/);
    expect(refused.body.error.message).toMatch(new RegExp(`${orderId}-S01-I01 \\(DIA_1G\\)`));
    expect(refused.body.error.details[0]).toMatchObject({ rule: 'pointOfNoReturn' });
    expect((await h.http('GET', `/orders/${orderId}`)).body.state).toBe('inProgress');
    expect(await orderTrail(orderId)).toEqual([
      'acknowledged',
      'inProgress',
      'assessingCancellation',
      'inProgress',
    ]);
    const milestones = await h.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orderId, orderId), eq(auditEvents.toState, 'pointOfNoReturn')));
    expect(milestones.map((m) => m.entityId)).toEqual([`${orderId}-S01-I01`]);
    // Nothing was compensated.
    const calls = await h.database.db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `compensate:${orderId}%`));
    expect(calls).toEqual([]);
  });
});

describe('a downstream system offline', () => {
  it('holds its api tasks without spending retries, and resumes them when it is back', async () => {
    const off = await h.http('PUT', '/simulator/systems/nms', { offline: true });
    expect(off.status).toBe(200);
    try {
      const { orderId } = await orderFor(h, oneSite('MANAGED_ROUTER'));
      const install = await runningTask(h, orderId, 'field');
      await h.by('technician-17')('POST', `/tasks/${install}/complete`, {});
      const held = await eventually(async () => {
        const t = await taskByCode(orderId, 'ENROL_ROUTER_MONITORING');
        return t.state === 'onHold' ? t : undefined;
      }, 'the monitoring enrolment to wait onHold');
      expect(held.attempts).toBe(0);
      // Waiting, not retrying: its domain order has no activity scheduled while the system is down (the
      // time-skipping test in test/workflows/domain-order.test.ts holds it so for minutes of workflow time).
      const domainOrder = h.client.workflow.getHandle(workflowId.domainOrder(held.domainOrderId));
      await eventually(
        async () => ((await domainOrder.describe()).raw.pendingActivities ?? []).length === 0 || undefined,
        'the domain order to wait with no activity scheduled',
      );
      expect((await taskByCode(orderId, 'ENROL_ROUTER_MONITORING')).state).toBe('onHold');

      const back = await h.http('PUT', '/simulator/systems/nms', { offline: false });
      expect(back.body.domainOrdersWoken).toBeGreaterThanOrEqual(1);
      await orderInState(h, orderId, 'completed');
      const enrol = await taskByCode(orderId, 'ENROL_ROUTER_MONITORING');
      expect(enrol).toMatchObject({ state: 'completed', attempts: 1 });
    } finally {
      await h.http('PUT', '/simulator/systems/nms', { offline: false });
    }
  });
});
