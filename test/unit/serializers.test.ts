/**
 * The order tree written by fast-json-stringify says exactly what zod's serializer said: the same fields,
 * values and nulls, extra columns passed through, text escaped to the same JSON.
 */
import Fastify from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { orderTreeResponse } from '../../api/schemas/orders';
import { serializerCompiler } from '../../api/serializers';

const tree = {
  id: 'ORD-1',
  quoteId: 'Q-1',
  accountId: 'ACC-1',
  state: 'inProgress',
  dueDate: null,
  stateReasons: [{ check: 'credit', subject: 'ACC-1', reason: 'a "quoted" reason \\ with \u2028 and 😀' }],
  requestedCompletionDate: '2026-12-24T00:00:00.000Z',
  progress: { tasks: 2, completed: 1, running: 1, failed: 0, percent: 50 },
  openFallouts: [{ id: 'FO-1', data: { nested: [1, 'two', null, { deep: true }] } }],
  subOrders: [
    {
      id: 'ORD-1-S01',
      state: 'inProgress',
      serviceAccountId: 'ACC-1-S01',
      dueDate: '2026-12-10T09:00:00.000Z',
      name: 'Hamburg, "Hafen" – Dock 7',
      items: [{ id: 'ORD-1-S01-I01', quantity: 3, price: 12.5 }],
      domainOrders: [
        {
          id: 'ORD-1-S01-D01',
          domain: 'access',
          state: 'inProgress',
          dueDate: null,
          jeopardy: 'yellow',
          tasks: [
            {
              id: 'T1',
              orderId: 'ORD-1',
              code: 'RESERVE_PORT',
              kind: 'api',
              state: 'completed',
              jeopardy: 'none',
              dependsOn: [],
              dueDate: '2026-12-08T09:00:00.000Z',
              result: { portId: 'P-7', vlan: 101 },
              attempts: 1,
            },
          ],
        },
      ],
    },
  ],
};

const route = { schema: orderTreeResponse, method: 'GET', url: '/orders/:id', httpStatus: '200' };

describe('the order tree serializer', () => {
  it('is not zod’s, and writes what zod’s writes', () => {
    const fast = serializerCompiler(route);
    const zod = zodSerializerCompiler(route);
    expect(fast).not.toBe(zod);
    expect(JSON.parse(fast(tree))).toEqual(JSON.parse(zod(tree)));
    expect(JSON.parse(fast({ ...tree, subOrders: undefined }))).toEqual(
      JSON.parse(zod({ ...tree, subOrders: undefined })),
    );
  });

  it('refuses an answer that lacks a required field, as zod’s does', () => {
    const { progress: _missing, ...broken } = tree;
    expect(() => zodSerializerCompiler(route)(broken)).toThrow();
    expect(() => serializerCompiler(route)(broken)).toThrow();
  });

  it('serves the tree through an app built with it', async () => {
    const app = Fastify();
    app.setSerializerCompiler(serializerCompiler);
    app.get('/tree', { schema: { response: { 200: orderTreeResponse } } }, async () => tree);
    const res = await app.inject({ method: 'GET', url: '/tree' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(zodSerializerCompiler(route)(tree)));
    await app.close();
  });
});
