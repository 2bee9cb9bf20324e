/**
 * No 500 for anything a caller can send: text PostgreSQL cannot store, path IDs past their declared
 * length, URLs the router cannot read, methods a path lacks, a database that does not answer. Each is
 * answered in the error model, and the OpenAPI document declares it.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema';
import type { Database, Db } from '../../db/client';
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

describe('text PostgreSQL cannot store is a 400 naming the field and rule', () => {
  it('refuses a NUL byte in a body field, however deep', async () => {
    const lead = expectError(
      await s.http('POST', '/leads', { company: 'Acme', contactName: 'Ann\u0000Lee' }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(lead)).toEqual(['body.contactName:nul_character']);
    const agreement = expectError(
      await s.http('POST', '/agreements', {
        accountId: 'ACC-1',
        maxDiscountPct: 5,
        slas: [{ metric: 'availability', target: 99.9, unit: '%\u0000' }],
      }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(agreement)).toEqual(['body.slas.0.unit:nul_character']);
    const task = expectError(
      await s.http('POST', '/tasks/ORD-1-S01-D01-T01/complete', { data: { serial: ['ok', 'x\u0000'] } }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(task)).toEqual(['body.data.serial.1:nul_character']);
    expect(s.temporal.effects).toEqual([]);
  });

  it('refuses a NUL byte in a query or path parameter', async () => {
    const query = expectError(await s.http('GET', '/tasks?orderId=%00'), 400, 'validation_failed');
    expect(fieldsAndRules(query)).toEqual(['querystring.orderId:nul_character']);
    const path = expectError(await s.http('GET', '/orders/ORD%00'), 400, 'validation_failed');
    expect(fieldsAndRules(path)).toEqual(['params.id:nul_character']);
  });

  it('refuses an unpaired surrogate, and keeps characters outside the basic plane', async () => {
    const lone = expectError(
      await s.http('POST', '/accounts', { name: 'Acme \ud800' }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(lone)).toEqual(['body.name:lone_surrogate']);
    const emoji = await s.http('POST', '/accounts', { name: 'Acme 🚀' });
    expect(emoji.status).toBe(201);
    expect(emoji.body.name).toBe('Acme 🚀');
  });

  it('answers 400 naming body.by when the body names someone other than the caller', async () => {
    const error = expectError(
      await s.http('POST', '/tasks/ORD-1-S01-D01-T01/fail', { by: 'someone-else', reason: 'x' }),
      400,
      'validation_failed',
    );
    expect(fieldsAndRules(error)).toEqual(['body.by:principal']);
  });

  it('refuses a URL that is not UTF-8 in the error model', async () => {
    const error = expectError(await s.http('GET', '/orders/%ED%A0%80'), 400, 'validation_failed');
    expect(fieldsAndRules(error)).toEqual(['url:encoding']);
  });
});

describe('path IDs hold the length the document declares', () => {
  it('answers 400 naming params.id past 100 characters, 414 in the error model past the router limit', async () => {
    const long = expectError(await s.http('GET', `/orders/${'A'.repeat(101)}`), 400, 'validation_failed');
    expect(fieldsAndRules(long)).toEqual(['params.id:too_big']);
    const huge = expectError(await s.http('GET', `/orders/${'A'.repeat(5000)}`), 414, 'uri_too_long');
    expect(fieldsAndRules(huge)).toEqual(['url:max_length']);
  });
});

describe('405 for a method a path does not have', () => {
  it.each([
    ['DELETE', '/accounts/ACC-1', 'GET, HEAD'],
    ['PUT', '/orders', 'GET, HEAD, POST'],
    ['GET', '/orders/ORD-1/cancel', 'POST'],
    ['QUERY', '/orders/ORD-1', 'GET, HEAD'],
  ])('answers 405 with Allow for %s %s', async (method, url, allow) => {
    const res = await s.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: s.authorization },
    });
    expectError({ status: res.statusCode, body: res.json() }, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe(allow);
  });

  it('still answers 404 for a path no route has', async () => {
    expectError(await s.http('DELETE', '/no/such/route'), 404, 'not_found');
  });

  it.each(['QUERY', 'DELETE'])('answers 405 in the TMF shape for %s on a TMF path', async (method) => {
    const res = await s.app.inject({
      method: method as 'GET',
      url: '/tmf-api/productOrderingManagement/v4/cancelProductOrder/CAN-1?fields=',
      headers: { authorization: s.authorization },
    });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toMatchObject({ code: 'method_not_allowed', status: '405', '@type': 'Error' });
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('the OpenAPI document declares these answers', () => {
  it('lists 503 and 429 everywhere, 401 and 403 where a token is needed, and no NUL in input text', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const statuses = Object.keys(op.responses);
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['429', '503']));
        if (op.security)
          expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
        if (path.includes('{')) expect(statuses, `${method} ${path}`).toContain('414');
      }
    }
    const lead = doc.paths['/leads'].post.requestBody.content['application/json'].schema;
    expect(lead.properties.contactName.pattern).toBe('^\\s*[^\\s\\ufeff\\u0000][^\\u0000]*$');
    const orderParam = doc.paths['/orders/{id}'].get.parameters.find((p: any) => p.name === 'id');
    expect(orderParam.schema).toMatchObject({ maxLength: 100, pattern: expect.stringContaining('\\u0000') });
    const task = doc.paths['/tasks/{id}/complete'].post.requestBody.content['application/json'].schema;
    expect(task.properties.data.propertyNames).toMatchObject({ pattern: '^[^\\u0000]*$' });
    const tmfOrder = doc.paths['/tmf-api/productOrderingManagement/v4/productOrder'].post.requestBody;
    const tmfSchema = tmfOrder.content['application/json'].schema;
    expect(tmfSchema.additionalProperties).toBe(false);
    expect(Object.keys(tmfSchema.properties)).toEqual(expect.arrayContaining(['@type', '@baseType']));
    expect(tmfSchema.anyOf).toEqual([{ required: ['quote'] }, { required: ['productOrderItem'] }]);
  });
});

describe('the document links an answer to what it opens', () => {
  it('links a new quote to its submit and a new order to its reads, each to an operation that exists', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const quoteLinks = doc.paths['/quotes'].post.responses['201'].links;
    expect(quoteLinks.post_quotes_id_submit).toEqual({
      operationRef: '#/paths/~1quotes~1{id}~1submit/post',
      parameters: { id: '$response.body#/id' },
    });
    expect(doc.paths['/accounts'].post.responses['201'].links.post_quotes.requestBody).toEqual({
      accountId: '$response.body#/id',
    });
    // A work list opens its first entry; a hub subscription its own reads.
    expect(doc.paths['/tasks'].get.responses['200'].links.post_tasks_id_complete.parameters).toEqual({
      id: '$response.body#/tasks/0/id',
    });
    const hub = doc.paths['/tmf-api/serviceOrdering/v4/hub'].post.responses['201'].links;
    expect(Object.keys(hub).sort()).toEqual([
      'delete_tmf_api_serviceOrdering_v4_hub_id_',
      'get_tmf_api_serviceOrdering_v4_hub_id_',
    ]);
    let count = 0;
    for (const item of Object.values<Record<string, any>>(doc.paths))
      for (const op of Object.values<any>(item))
        for (const response of Object.values<any>(op.responses ?? {}))
          for (const link of Object.values<any>(response.links ?? {})) {
            const [, pointer, method] = /^#\/paths\/(.+)\/(\w+)$/.exec(link.operationRef)!;
            const path = pointer.replaceAll('~1', '/').replaceAll('~0', '~');
            expect(doc.paths[path]?.[method], link.operationRef).toBeDefined();
            count++;
          }
    expect(count).toBeGreaterThan(20);
  });
});

describe('what the document says is what is checked', () => {
  it('refuses a number sent empty instead of reading it as 0', async () => {
    for (const value of ['', '%20']) {
      const res = await s.http('GET', `/tasks?limit=${value}`);
      expectError(res, 400, 'validation_failed');
      expect(fieldsAndRules(res.body.error)).toContain('querystring.limit:invalid_type');
    }
    expect((await s.http('GET', '/tasks?limit=5')).status).toBe(200);
  });

  it('checks an e-mail address by the pattern the document carries', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const lead = doc.paths['/leads'].post.requestBody.content['application/json'].schema;
    const pattern = new RegExp(lead.properties.email.pattern);
    const lead1 = { company: 'Acme', contactName: 'Ann' };
    for (const email of ['ann@acme.example', "o'brien@mail.acme-corp.example"]) {
      expect(pattern.test(email)).toBe(true);
      expect((await s.http('POST', '/leads', { ...lead1, email })).status).toBe(201);
    }
    for (const email of ['ann@acme', 'ann@-acme.example', 'ann@acme-.example', 'ann acme.example']) {
      expect(pattern.test(email), email).toBe(false);
      const res = await s.http('POST', '/leads', { ...lead1, email });
      expectError(res, 400, 'validation_failed');
      expect(fieldsAndRules(res.body.error)).toContain('body.email:invalid_format');
    }
  });
});

describe('a database that cannot be reached', () => {
  let down: StubApp;
  beforeAll(async () => {
    // Nothing listens on port 1: every query fails to connect.
    const client = postgres('postgres://postgres@127.0.0.1:1/none', { connect_timeout: 2, max: 2 });
    const database: Database = {
      db: drizzle(client, { schema }) as unknown as Db,
      kind: 'postgres',
      location: 'postgres://127.0.0.1:1/none',
      ping: async () => void (await client`select 1`),
      close: () => client.end({ timeout: 1 }),
    };
    down = await startStubApp({ database });
  });
  afterAll(async () => {
    await down?.stop();
  });

  it('answers 503 unavailable, not 500, to reads and writes', async () => {
    for (const [method, url, body] of [
      ['GET', '/orders/ORD-1', undefined],
      ['GET', '/tasks?state=running', undefined],
      ['POST', '/accounts', { name: 'Acme' }],
    ] as const) {
      const error = expectError(await down.http(method, url, body), 503, 'unavailable');
      expect(error.message).toMatch(/database/);
    }
    expect(down.temporal.effects).toEqual([]);
  });

  it('/health names the database as the part that is down', async () => {
    const res = await down.http('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'down',
      temporal: { status: 'up' },
      database: { status: 'down' },
    });
  });
});

describe('a malformed upload', () => {
  it('answers 400 naming the body for a multipart form that cannot be read', async () => {
    const boundary = '7c5156fb04a2177cf9e322ad31ebde44';
    const res = await s.app.inject({
      method: 'POST',
      url: '/quotes/Q-NONE/members?mode=merge',
      headers: {
        authorization: s.authorization,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: `--${boundary}\r\nNone--${boundary}--\r\n`,
    });
    const error = expectError({ status: res.statusCode, body: res.json() }, 400, 'validation_failed');
    expect(fieldsAndRules(error)).toEqual(['body:multipart']);
  });
});
