/**
 * Past `API_MAX_IN_FLIGHT` requests at once, the API answers 503 `unavailable` with `Retry-After` at once,
 * in the error model, instead of queueing for the database pool; `/health` still answers; the requests it
 * did take finish normally, and their slots are given back. The database (a file of its own, so that the
 * lock stalls no other test) holds the requests in flight: `accounts` is locked until the test lets go.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import type { ScratchDatabase } from '../../platform/scratch-database';
import { eventually } from '../harness';
import { createOwnDatabase } from '../own-database';
import { expectError, startStubApp, type StubApp } from './stub-app';

let own: ScratchDatabase;
let s: StubApp;
/** One connection holds the lock, the other looks. */
let locker: postgres.Sql;
let looker: postgres.Sql;

beforeAll(async () => {
  own = await createOwnDatabase('shed');
  s = await startStubApp({
    database: await openDatabase(own.url),
    load: { maxInFlight: 2, maxEventLoopDelayMs: 0 },
  });
  locker = postgres(own.url, { max: 1, onnotice: () => {} });
  looker = postgres(own.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await locker?.end();
  await looker?.end();
  await s?.stop();
  await own?.drop();
});

describe('load shedding', () => {
  it('answers 503 with Retry-After past the requests in flight, keeps /health, and gives every slot back', async () => {
    const account = await s.http('POST', '/accounts', { name: 'Shed Ltd' });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const locked = new Promise<void>((resolve) => {
      void locker.begin(async (tx) => {
        await tx`LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE`;
        resolve();
        await released;
      });
    });
    await locked;
    const held = [1, 2].map(() => s.http('GET', `/accounts/${account.body.id}`));
    // Both wait on the lock: the API has taken them and holds their slots.
    await eventually(async () => {
      const [{ waiting }] = await looker`SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted`;
      return waiting === 2 ? waiting : undefined;
    }, 'both reads waiting on the lock');

    const shed = await s.app.inject({
      method: 'GET',
      url: `/accounts/${account.body.id}`,
      headers: { authorization: s.authorization },
    });
    expectError({ status: shed.statusCode, body: shed.json() }, 503, 'unavailable');
    expect(shed.json().error.message).toContain('2 requests in flight');
    expect(shed.headers['retry-after']).toBe('1');
    const write = await s.http('POST', '/accounts', { name: 'Shed Two Ltd' });
    expectError(write, 503, 'unavailable');
    expect((await s.http('GET', '/health')).status).not.toBe(503);

    release();
    for (const answer of await Promise.all(held)) expect(answer.status).toBe(200);
    // The slots are back: two at once are served again.
    const again = await Promise.all([1, 2].map(() => s.http('GET', `/accounts/${account.body.id}`)));
    expect(again.map((answer) => answer.status)).toEqual([200, 200]);
    // Nothing half done: the shed write made no account.
    const [{ count }] = await looker`SELECT count(*)::int AS count FROM accounts WHERE name = 'Shed Two Ltd'`;
    expect(count).toBe(0);
  });
});
