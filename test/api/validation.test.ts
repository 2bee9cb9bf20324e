/** 400, 404 for an unknown route and 415: what the API refuses before any service runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});

const fieldsAndRules = (error: { details: { field: string; rule: string }[] }) =>
  error.details.map((d) => `${d.field}:${d.rule}`);

describe('400 validation_failed names each field and rule', () => {
  it('lists every problem of a malformed quote, unknown fields included', async () => {
    const error = expectError(
      await s.http('POST', '/quotes', {
        accountId: '',
        members: [{ ref: 'a', kind: 'castle', name: 'X' }],
        items: [{ offeringCode: 'DIA_1G', quantity: -2, discountPct: 140 }],
        colour: 'blue',
      }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(error)).toEqual([
      'body.accountId:too_small',
      'body.members.0.kind:invalid_value',
      'body.items.0.quantity:too_small',
      'body.items.0.discountPct:too_big',
      'body:unrecognized_keys',
    ]);
    for (const detail of error.details) expect(detail.message).toBeTruthy();
    expect(s.temporal.calls).toEqual([]);
  });

  it('refuses a missing required field, and a body missing altogether', async () => {
    const noName = expectError(await s.http('POST', '/accounts', {}), 400, 'validation_failed');
    expect(fieldsAndRules(noName)).toEqual(['body.name:invalid_type']);
    const noBody = await s.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { 'content-type': 'application/json', authorization: s.authorization },
    });
    expectError({ status: noBody.statusCode, body: noBody.json() }, 400, 'validation_failed');
  });

  it('refuses a bad query parameter and a bad header, naming where they are', async () => {
    const state = expectError(await s.http('GET', '/orders?state=sleeping'), 400, 'validation_failed');
    expect(fieldsAndRules(state)).toEqual(['querystring.state:invalid_value']);
    const limit = expectError(await s.http('GET', '/tasks?limit=0'), 400, 'validation_failed');
    expect(fieldsAndRules(limit)).toEqual(['querystring.limit:too_small']);
    const unknown = expectError(await s.http('GET', '/fallouts?colour=blue'), 400, 'validation_failed');
    expect(fieldsAndRules(unknown)).toEqual(['querystring:unrecognized_keys']);
    const key = expectError(
      await s.http('POST', '/orders', { quoteId: 'Q-1' }, { 'idempotency-key': ' ' }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(key)).toEqual(['headers.idempotency-key:invalid_format']);
  });

  it('refuses what the state lists of domain/states.ts do not hold', async () => {
    for (const url of ['/tasks?state=asleep', '/fallouts?state=forgotten', '/tasks?kind=robot'])
      expectError(await s.http('GET', url), 400, 'validation_failed');
    for (const url of ['/tasks?state=fatallyFailed', '/fallouts?state=onHold', '/orders?state=partial'])
      expect((await s.http('GET', url)).status, url).toBe(200);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/accounts',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json', authorization: s.authorization },
    });
    const error = expectError({ status: res.statusCode, body: res.json() }, 400, 'validation_failed');
    expect(error.details).toMatchObject([{ field: 'body', rule: 'json' }]);
  });
});

describe('415 and unknown routes', () => {
  it('refuses a body of a media type the API does not read', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/accounts',
      payload: 'name=Acme',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: s.authorization },
    });
    const error = expectError({ status: res.statusCode, body: res.json() }, 415, 'validation_failed');
    expect(error.details).toMatchObject([{ field: 'content-type', rule: 'media_type' }]);
  });

  it.each([
    ['GET', '/no/such/route'],
    ['POST', '/orders/ORD-1/pause'],
  ])('answers 404 not_found for %s %s', async (method, url) => {
    const error = expectError(await s.http(method as 'GET', url), 404, 'not_found');
    expect(error.message).toBe(`No route ${method} ${url}`);
  });
});
