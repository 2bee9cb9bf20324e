import { WorkflowNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productInventory, salesContracts, simulatorCalls } from '../../db/schema';
import { statusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { acceptedQuote, createAccount, orderInState, runningTask } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('walking skeleton: one order from quote to closure', () => {
  it('carries a one-site order through every stage on real Temporal and PostgreSQL', async () => {
    const accountId = await createAccount(h);
    const quoteId = await acceptedQuote(h, accountId);
    const [contract] = await h.database.db
      .select()
      .from(salesContracts)
      .where(eq(salesContracts.quoteId, quoteId));
    expect(contract).toMatchObject({ accountId, signedBy: 'Jane Doe, CFO' });

    const created = await h.http('POST', '/orders', { quoteId });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.state).toBe('acknowledged');
    expect(created.body.subOrders).toHaveLength(1);
    const orderId: string = created.body.id;

    // The api task runs against the simulator; the field task waits for a technician.
    const fieldTaskId = await runningTask(h, orderId, 'field');
    const midway = await h.http('GET', `/orders/${orderId}`);
    expect(midway.body.state).toBe('inProgress');
    const [domainOrder] = midway.body.subOrders[0].domainOrders;
    expect(domainOrder.tasks.map((t: { kind: string; state: string }) => [t.kind, t.state])).toEqual([
      ['api', 'completed'],
      ['field', 'running'],
    ]);
    const inventoryBefore = await h.database.db
      .select()
      .from(productInventory)
      .where(eq(productInventory.orderId, orderId));
    expect(inventoryBefore.map((p) => p.state)).toEqual(['created']);

    const completed = await h.by('technician-17')('POST', `/tasks/${fieldTaskId}/complete`, {
      note: 'modem installed',
    });
    expect(completed.status).toBe(202);

    const tree = await orderInState(h, orderId, 'completed');
    expect(tree.progress).toMatchObject({ tasks: 2, completed: 2, percent: 100 });
    expect(tree.subOrders[0].state).toBe('completed');
    expect(tree.subOrders[0].domainOrders[0].state).toBe('completed');
    const fieldTask = tree.subOrders[0].domainOrders[0].tasks[1];
    expect(fieldTask).toMatchObject({
      state: 'completed',
      completedBy: 'technician-17',
      note: 'modem installed',
    });

    // Inventory active, the simulator called exactly once for the api task.
    const inventory = await h.http('GET', `/accounts/${accountId}/inventory`);
    expect(inventory.body.productInventory.map((p: { state: string }) => p.state)).toEqual(['active']);
    const calls = await h.database.db
      .select()
      .from(simulatorCalls)
      .where(eq(simulatorCalls.taskCode, 'ACTIVATE_BROADBAND_LINE'));
    expect(calls.filter((c) => c.idempotencyKey.includes(orderId))).toHaveLength(1);

    // A service account was created for the site and linked to its sub-order.
    const account = await h.http('GET', `/accounts/${accountId}`);
    expect(account.body.serviceAccounts).toHaveLength(1);
    expect(tree.subOrders[0].serviceAccountId).toBe(account.body.serviceAccounts[0].id);

    // Every state change is in the audit trail, oldest first.
    const audit = await h.http('GET', `/orders/${orderId}/audit`);
    const trail = audit.body.events.map(
      (e: { entityType: string; fromState: string | null; toState: string }) =>
        `${e.entityType}:${e.fromState ?? '-'}>${e.toState}`,
    );
    expect(trail).toEqual([
      'quote:->inProgress',
      'quote:inProgress>approved',
      'quote:approved>accepted',
      'order:->acknowledged',
      'subOrder:->acknowledged',
      'orderApproval:->approved',
      'productInventory:->created',
      'domainOrder:->acknowledged',
      'task:->pending',
      'task:->pending',
      'order:acknowledged>inProgress',
      'subOrder:acknowledged>inProgress',
      'domainOrder:acknowledged>inProgress',
      'task:pending>running',
      'task:running>completed',
      'task:pending>running',
      'task:running>completed',
      'domainOrder:inProgress>completed',
      'subOrder:inProgress>completed',
      'productInventory:created>active',
      'order:inProgress>completed',
    ]);

    // Temporal tells the same story: IDs, search attributes, summary and the status query.
    const handle = h.client.workflow.getHandle(workflowId.order(orderId));
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(await handle.result()).toBe('completed');
    expect(description.searchAttributes).toMatchObject({
      OrderId: [orderId],
      CustomerId: [accountId],
      OrderState: ['completed'],
    });
    expect(await description.staticSummary()).toContain(orderId);
    expect(await handle.query(statusQuery)).toMatchObject({
      id: orderId,
      state: 'completed',
      progress: { total: 1, completed: 1 },
    });
    const domainHandle = h.client.workflow.getHandle(workflowId.domainOrder(domainOrder.id));
    expect(await domainHandle.query(statusQuery)).toMatchObject({
      state: 'completed',
      progress: { total: 2, completed: 2 },
    });

    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of h.client.workflow.list({ query: `OrderId='${orderId}'` }))
        ids.push(wf.workflowId);
      return ids.length === 4 ? ids.sort() : undefined;
    }, 'the visibility store to list the order workflows');
    expect(listed).toEqual(
      [
        workflowId.order(orderId),
        workflowId.subOrder(`${orderId}-S01`),
        workflowId.domainOrder(`${orderId}-S01-D01`),
        // The api task runs as an activity of its domain order; the field task is a workflow people signal.
        workflowId.task(`${orderId}-S01-D01-T02`),
      ].sort(),
    );
  });

  it('rolls a field task reported failed and aborted from its fall-out up to a failed order, its inventory rolled back', async () => {
    const accountId = await createAccount(h, 'Failing Site AG');
    const quoteId = await acceptedQuote(h, accountId);
    const orderId: string = (await h.http('POST', '/orders', { quoteId })).body.id;
    const fieldTaskId = await runningTask(h, orderId, 'field');
    const failed = await h.by('technician-17')('POST', `/tasks/${fieldTaskId}/fail`, {
      reason: 'no access to the building',
    });
    expect(failed.status).toBe(202);
    const fallout = await eventually(async () => {
      const res = await h.http('GET', `/fallouts?orderId=${orderId}`);
      return res.body.fallouts[0] as { id: string } | undefined;
    }, 'the fall-out case');
    expect((await h.http('POST', `/fallouts/${fallout.id}/resolve`, { action: 'abort' })).status).toBe(200);

    const tree = await orderInState(h, orderId, 'failed');
    expect(tree.subOrders[0].state).toBe('failed');
    expect(tree.subOrders[0].domainOrders[0].tasks[1]).toMatchObject({
      state: 'failed',
      note: 'no access to the building',
    });
    const inventory = await h.database.db
      .select()
      .from(productInventory)
      .where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => p.state)).toEqual(['cancelled']);
    expect(await h.client.workflow.getHandle(workflowId.order(orderId)).result()).toBe('failed');
  });

  it('reports Temporal and the database in /health', async () => {
    const res = await h.http('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'up', temporal: { status: 'up' }, database: { status: 'up' } });
  });

  it('serves the OpenAPI document generated from the zod schemas', async () => {
    const res = await h.http('GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/orders', '/orders/{id}', '/quotes/{id}/submit', '/tasks/{id}/complete']),
    );
    const quoteBody = res.body.paths['/quotes'].post.requestBody.content['application/json'].schema;
    expect(quoteBody.required).toEqual(expect.arrayContaining(['accountId', 'items']));
  });

  it('leaves no workflow for an order that was never created', async () => {
    await expect(h.client.workflow.getHandle(workflowId.order('ORD-NOPE')).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});
