/**
 * The error model where only the whole stack can show it: a repeated request against a running order
 * workflow, and a refusal that follows from what a workflow did. Every check that needs no running
 * workflow (400, 404, 409 from a state, 422 with each rule, 415, malformed JSON, unknown routes, how
 * Temporal's failures map to answers) is in test/api, against a fake Temporal client, in milliseconds.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '../../db/schema';
import { startHarness, type Harness } from '../harness';
import { acceptedQuote, createAccount, orderInState, runningTask } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(Array.isArray(res.body.error.details)).toBe(true);
};

describe('409 invalid_state against running workflows', () => {
  it('returns the same order for the same Idempotency-Key while its workflow runs, refuses a second order, and refuses to complete a task its workflow has finished', async () => {
    const accountId = await createAccount(h);
    const quoteId = await acceptedQuote(h, accountId);
    const first = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': `key-${quoteId}` });
    expect(first.status).toBe(202);
    const again = await h.http('POST', '/orders', { quoteId }, { 'idempotency-key': `key-${quoteId}` });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const duplicate = await h.http('POST', '/orders', { quoteId });
    expectError(duplicate, 409, 'invalid_state');
    expect(await h.database.db.select().from(orders).where(eq(orders.quoteId, quoteId))).toHaveLength(1);

    // Completing twice: the second finds the task no longer running.
    const fieldTask = await runningTask(h, first.body.id, 'field');
    expect((await h.by('tech')('POST', `/tasks/${fieldTask}/complete`, {})).status).toBe(202);
    await orderInState(h, first.body.id, 'completed');
    const twice = await h.by('tech')('POST', `/tasks/${fieldTask}/complete`, {});
    expectError(twice, 409, 'invalid_state');
    expect(twice.body.error.message).toContain('completed');
  });
});
