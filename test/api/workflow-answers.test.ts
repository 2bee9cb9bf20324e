/**
 * What the API asks of Temporal and how it answers what Temporal says, with the client faked: which
 * workflow each request starts, updates or signals; a refusal by a workflow's validator as 409 with its
 * details; a closed workflow as the state it ended in; a failed start or update leaving nothing behind.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accounts, orderAmendments, orderItems, orders, quotes, subOrders, tasks } from '../../db/schema';
import { createAccount, createOrder, createQuote, insertFallout, insertTask, putQuoteIn } from './fixtures';
import { expectError, startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});
beforeEach(() => s.temporal.reset());

/** What a workflow's update validator throws, as the client hands it over. */
const refused = (message: string, details: unknown[] = []) =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type: 'InvalidState', message, details: [details], nonRetryable: true }),
  );
const closed = (workflowId: string) => new WorkflowNotFoundError('workflow not found', workflowId, undefined);

describe('quotes', () => {
  it("submits a version by starting its approval with update-with-start, answering with the approval's status", async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    s.temporal.answer = () => ({ state: 'approved', required: [] });
    const res = await s.http('POST', `/quotes/${quoteId}/submit`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: quoteId, approval: { state: 'approved' } });
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'executeUpdateWithStart',
        workflowId: `quote-approval:${quoteId}:v1`,
        name: 'submission',
        args: [{ quoteId, version: 1, maxDiscountPct: 0, decisionDeadlineSeconds: 48 * 3600 }],
      },
    ]);
  });

  it("answers 409 with the details of a decision the approval's validator refuses", async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    await putQuoteIn(s, quoteId, 'pending');
    const rule = { field: 'role', rule: 'awaited_role', message: 'financeManager is not awaited' };
    s.temporal.answer = () => {
      throw refused('No financeManager approval is awaited', [rule]);
    };
    const res = await s.http(
      'POST',
      `/quotes/${quoteId}/decisions`,
      {
        decision: 'approve',
        role: 'financeManager',
      },
      { authorization: s.approver },
    );
    const error = expectError(res, 409, 'invalid_state');
    expect(error).toMatchObject({ message: 'No financeManager approval is awaited', details: [rule] });
    expect(s.temporal.calls).toMatchObject([
      { method: 'executeUpdate', workflowId: `quote-approval:${quoteId}:v1`, name: 'decide' },
    ]);
  });

  it('answers a decision on a superseded version whose approval has ended with 409, and stops the running approval of a version changed', async () => {
    const quoteId = await createQuote(s, await createAccount(s));
    await putQuoteIn(s, quoteId, 'pending');
    s.temporal.answer = () => {
      throw closed(`quote-approval:${quoteId}:v1`);
    };
    const change = await s.http('PATCH', `/quotes/${quoteId}`, {
      items: [{ offeringCode: 'MANAGED_ROUTER', appliesTo: { member: 'hq' } }],
    });
    expect(change.status, 'a supersede signal that finds no approval is only logged').toBe(200);
    expect(change.body).toMatchObject({ version: 2, state: 'inProgress' });
    const decide = await s.http(
      'POST',
      `/quotes/${quoteId}/decisions`,
      {
        decision: 'approve',
        role: 'salesManager',
        version: 1,
      },
      { authorization: s.approver },
    );
    expect(expectError(decide, 409, 'invalid_state').message).toBe(`Quote ${quoteId} v1 is superseded by v2`);
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'signal',
        workflowId: `quote-approval:${quoteId}:v1`,
        name: 'supersede',
        args: [{ byVersion: 2 }],
      },
      { method: 'executeUpdate', workflowId: `quote-approval:${quoteId}:v1`, name: 'decide' },
    ]);
  });
});

describe('orders', () => {
  it('starts the order workflow with the order, and rolls the order back when the workflow cannot start', async () => {
    const { orderId, accountId } = await createOrder(s);
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'start',
        workflowId: `order:${orderId}`,
        name: 'order',
        args: [{ orderId, customerId: accountId }],
      },
    ]);

    const quoteId = await createQuote(s, accountId);
    await putQuoteIn(s, quoteId, 'accepted');
    s.temporal.reset();
    s.temporal.answer = (call) => {
      if (call.method === 'start') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 14 });
    };
    const refused = await s.http('POST', '/orders', { quoteId });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(await s.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toEqual([]);
    const serviceAccounts = await s.database.db
      .select()
      .from(accounts)
      .where(eq(accounts.memberKey, `${quoteId}:hq`));
    expect(serviceAccounts).toEqual([]);
  });

  it("takes the run an earlier attempt started (an API that died before its commit) as the order's: started once", async () => {
    const { accountId } = await createOrder(s);
    const quoteId = await createQuote(s, accountId);
    await putQuoteIn(s, quoteId, 'accepted');
    s.temporal.reset();
    s.temporal.answer = (call) => {
      if (call.method === 'start')
        throw new WorkflowExecutionAlreadyStartedError('already started', call.workflowId, 'order');
    };
    const res = await s.http('POST', '/orders', { quoteId }, { 'idempotency-key': `retry-${quoteId}` });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [order] = await s.database.db.select().from(orders).where(eq(orders.quoteId, quoteId));
    expect(order.id).toBe(res.body.id);
    // The one start named the ID the quote derives, the run the crashed attempt had started; none ended.
    expect(s.temporal.calls.map((c) => [c.method, c.workflowId])).toEqual([['start', `order:${order.id}`]]);
    const again = await s.http('POST', '/orders', { quoteId }, { 'idempotency-key': `retry-${quoteId}` });
    expect(again.body.id).toBe(order.id);
  });

  it("holds an order through the workflow's update, and answers 409 when the update is refused or the workflow has closed", async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    s.temporal.reset();
    s.temporal.answer = () => ({ state: 'held' });
    const held = await s.http('POST', `/orders/${orderId}/hold`, { reason: 'customer asked' });
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ id: orderId, state: 'held' });
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'executeUpdate',
        workflowId: `order:${orderId}`,
        name: 'hold',
        args: [{ reason: 'customer asked' }],
      },
    ]);

    s.temporal.answer = () => {
      throw refused(`Order ${orderId} is not held`);
    };
    expect(expectError(await s.http('POST', `/orders/${orderId}/resume`), 409, 'invalid_state').message).toBe(
      `Order ${orderId} is not held`,
    );
    await s.database.db.update(orders).set({ state: 'completed' }).where(eq(orders.id, orderId));
    s.temporal.answer = (call) => {
      throw closed(call.workflowId);
    };
    expect(expectError(await s.http('POST', `/orders/${orderId}/cancel`), 409, 'invalid_state').message).toBe(
      `Order ${orderId} is completed`,
    );
  });

  it('records an amendment the order workflow applies, removes one it refuses, and quotes a commercial one', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const [item] = await s.database.db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
    const north = { offeringCode: 'DIA_1G', site: { ref: 'north', kind: 'location', name: 'North' } };
    s.temporal.reset();
    s.temporal.answer = () => ({ state: 'inProgress', added: 1 });
    const applied = await s.http('POST', `/orders/${orderId}/amendments`, {
      modify: [{ orderItemId: item.id, characteristics: { bandwidth: 500 } }],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    expect(applied.body).toMatchObject({ id: `${orderId}-A01`, sequence: 1, effects: { added: 1 } });
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'executeUpdate',
        workflowId: `order:${orderId}`,
        name: 'amend',
        args: [{ amendmentId: `${orderId}-A01` }],
      },
    ]);

    s.temporal.answer = () => {
      throw refused(`Order ${orderId} is cancelling`);
    };
    const res = await s.http('POST', `/orders/${orderId}/amendments`, {
      modify: [{ orderItemId: item.id, characteristics: { bandwidth: 1000 } }],
    });
    expect(expectError(res, 409, 'invalid_state').message).toBe(`Order ${orderId} is cancelling`);
    const { db } = s.database;
    expect(
      (await db.select().from(orderAmendments).where(eq(orderAmendments.orderId, orderId))).map((a) => a.id),
    ).toEqual([`${orderId}-A01`]);

    // A new site is a commercial change: a change quote is prepared, and the order workflow hears nothing.
    s.temporal.reset();
    const quoted = await s.http('POST', `/orders/${orderId}/amendments`, { add: [north] });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(202);
    expect(quoted.body).toMatchObject({ id: `${orderId}-A02`, state: 'quoted', effects: null });
    expect(s.temporal.calls).toEqual([]);
    expect(await db.select().from(subOrders).where(eq(subOrders.memberRef, 'north'))).toEqual([]);
    expect(
      await db
        .select()
        .from(accounts)
        .where(eq(accounts.memberKey, `${orderId}-A02:north`)),
    ).toEqual([]);

    // Signed, but the order ended in the moment between the check before signing and the application: the
    // change is refused for good, with the reason; nothing reaches the order.
    const changeQuoteId = quoted.body.changeQuote.id;
    await db.update(quotes).set({ state: 'accepted' }).where(eq(quotes.id, changeQuoteId));
    await db.update(orders).set({ state: 'completed' }).where(eq(orders.id, orderId));
    const late = await s.http('POST', `/quotes/${changeQuoteId}/accept`, { signedBy: 'Jens Ohl, CEO' });
    expect(expectError(late, 409, 'invalid_state').message).toMatch(/only an order in progress or held/);
    const [refusedChange] = await db
      .select()
      .from(orderAmendments)
      .where(eq(orderAmendments.id, `${orderId}-A02`));
    expect(refusedChange).toMatchObject({
      state: 'refused',
      effects: { refusal: expect.stringMatching(/completed/) },
    });
    expect(await db.select().from(subOrders).where(eq(subOrders.memberRef, 'north'))).toEqual([]);
  });
});

describe('tasks, fall-outs and the simulator', () => {
  it('signals complete and fail to the workflow of a running manual, field or project task', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const field = await insertTask(s, orderId, 'field', 'running');
    const project = await insertTask(s, orderId, 'project', 'running');
    s.temporal.reset();
    const done = await s.http('POST', `/tasks/${field}/complete`, { by: 'tester', note: 'installed' });
    expect(done).toMatchObject({
      status: 202,
      body: { taskId: field, state: 'running', signal: 'complete' },
    });
    const failed = await s.http('POST', `/tasks/${project}/fail`, { by: 'tester', reason: 'no permit' });
    expect(failed).toMatchObject({ status: 202, body: { taskId: project, signal: 'fail' } });
    expect(s.temporal.calls).toEqual([
      {
        method: 'signal',
        workflowId: `task:${field}`,
        name: 'complete',
        args: [{ by: 'tester', note: 'installed' }],
      },
      {
        method: 'signal',
        workflowId: `project:${project}`,
        name: 'fail',
        args: [{ by: 'tester', reason: 'no permit' }],
      },
    ]);
  });

  it("resolves a fall-out case through its workflow's update, and answers 404 when that workflow is gone", async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const caseId = await insertFallout(s, orderId, 'open');
    s.temporal.reset();
    const resolved = await s.http('POST', `/fallouts/${caseId}/resolve`, {
      action: 'skip',
      note: 'not needed',
    });
    expect(resolved).toMatchObject({ status: 200, body: { id: caseId } });
    expect(s.temporal.calls).toMatchObject([
      {
        method: 'executeUpdate',
        workflowId: `fallout:${caseId}`,
        name: 'resolve',
        args: [{ action: 'skip', by: 'tester', note: 'not needed' }],
      },
    ]);
    s.temporal.answer = (call) => {
      throw closed(call.workflowId);
    };
    expectError(
      await s.http('POST', `/fallouts/${caseId}/work`, { action: 'take', by: 'tester' }),
      404,
      'not_found',
    );
  });

  it('wakes the domain orders whose tasks wait on a system back online', async () => {
    const { orderId } = await createOrder(s, 'inProgress');
    const waiting = await insertTask(s, orderId, 'api', 'onHold');
    const system = `crm-${orderId}`;
    await s.database.db.update(tasks).set({ system }).where(eq(tasks.id, waiting));
    s.temporal.reset();
    const res = await s.http('PUT', `/simulator/systems/${system}`, { offline: false });
    expect(res).toMatchObject({ status: 200, body: { system, offline: false, domainOrdersWoken: 1 } });
    expect(s.temporal.calls).toEqual([
      {
        method: 'signal',
        workflowId: `domain-order:${orderId}-S00-D00`,
        name: 'systemBack',
        args: [{ system }],
      },
    ]);
    expect(s.simulatorCalls).toContainEqual(['setOffline', system, false]);
  });
});

describe('health', () => {
  it('answers 200 when Temporal and the database answer, 503 naming Temporal when it does not', async () => {
    const up = await s.http('GET', '/health');
    expect(up).toMatchObject({
      status: 200,
      body: { status: 'up', temporal: { status: 'up' }, database: { status: 'up' } },
    });
    s.temporal.answer = () => {
      throw new Error('connection refused');
    };
    const down = await s.http('GET', '/health');
    expect(down).toMatchObject({
      status: 503,
      body: { status: 'down', temporal: { status: 'down', detail: 'namespace fake: connection refused' } },
    });
  });
});
