/**
 * `GET /orders/:id/graph`: Mermaid by default, SVG on `Accept: image/svg+xml`, for a 3-site order drawn in
 * full (jeopardy, an open fall-out, a dependency across sub-orders) and a 1,000-site order collapsed to
 * sub-orders. The rows are written straight to the database, as decomposition would have left them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { domainOrders, falloutCases, tasks } from '../../db/schema';
import type { Db } from '../../db/client';
import { seedOrder } from '../activities/seed';
import { insertFallout } from './fixtures';
import { startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
});
afterAll(async () => {
  await s?.stop();
});

/** One domain order of `tasksEach` chained api tasks per site; `link` makes site 2's first task wait on site 1's last. */
async function seedPlan(db: Db, sites: number, tasksEach: number, link = false) {
  const seeded = await seedOrder(
    db,
    Array.from({ length: sites }, (_, i) => ({
      ref: `s${i + 1}`,
      name: `Site ${i + 1}`,
      offeringCode: 'ONNET_DIA',
    })),
  );
  const doRows = seeded.subOrderIds.flatMap((subOrderId) => [
    {
      id: `${subOrderId}-D01`,
      orderId: seeded.orderId,
      subOrderId,
      orderItemIds: [],
      specCode: 'ONNET_ACCESS',
      domain: 'access',
      state: 'inProgress',
    },
    {
      id: `${subOrderId}-D02`,
      orderId: seeded.orderId,
      subOrderId,
      orderItemIds: [],
      specCode: 'DIA_SERVICE',
      domain: 'network',
      state: 'acknowledged',
      dependsOn: [`${subOrderId}-D01`],
    },
  ]);
  const taskRows = doRows.flatMap((d) =>
    Array.from({ length: tasksEach }, (_, t) => ({
      id: `${d.id}-T0${t + 1}`,
      orderId: seeded.orderId,
      domainOrderId: d.id,
      code: `STEP_${t + 1}`,
      name: `Step ${t + 1}`,
      kind: 'api' as const,
      state: d.state === 'inProgress' ? (t === 0 ? 'completed' : 'running') : 'pending',
      plannedMinutes: 10,
      dependsOn: t === 0 ? [] : [`${d.id}-T0${t}`],
    })),
  );
  if (link)
    taskRows.find((t) => t.id === `${seeded.subOrderIds[1]}-D01-T01`)!.dependsOn = [
      `${seeded.subOrderIds[0]}-D02-T0${tasksEach}`,
    ];
  for (let i = 0; i < doRows.length; i += 1000)
    await db.insert(domainOrders).values(doRows.slice(i, i + 1000));
  for (let i = 0; i < taskRows.length; i += 1000) await db.insert(tasks).values(taskRows.slice(i, i + 1000));
  return seeded;
}

/** Every element of the parsed SVG whose class names `cls`. */
function elementsOf(node: unknown, cls: string, found: Record<string, string>[] = []) {
  if (Array.isArray(node)) for (const n of node) elementsOf(n, cls, found);
  else if (node && typeof node === 'object') {
    const el = node as Record<string, unknown>;
    if (typeof el['@_class'] === 'string' && el['@_class'].split(' ').includes(cls)) found.push(el as never);
    for (const [k, v] of Object.entries(el)) if (!k.startsWith('@_')) elementsOf(v, cls, found);
  }
  return found;
}

async function svgOf(orderId: string, query = '') {
  const res = await s.app.inject({
    url: `/orders/${orderId}/graph${query}`,
    headers: { authorization: s.authorization, accept: 'image/svg+xml' },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  expect(XMLValidator.validate(res.body)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(res.body);
}

describe('GET /orders/:id/graph', () => {
  it('draws a 3-site order in full: groups, nodes by state, the link across sites, jeopardy and fall-outs', async () => {
    const { orderId, subOrderIds } = await seedPlan(s.database.db, 3, 3, true);
    const { db } = s.database;
    await db
      .update(tasks)
      .set({ jeopardy: 'red' })
      .where(eq(tasks.id, `${subOrderIds[2]}-D01-T02`));
    const falloutId = await insertFallout(s, orderId, 'open');
    await db
      .update(falloutCases)
      .set({ taskId: `${subOrderIds[0]}-D01-T03` })
      .where(eq(falloutCases.id, falloutId));

    const mermaid = await s.app.inject({
      url: `/orders/${orderId}/graph`,
      headers: { authorization: s.authorization },
    });
    expect(mermaid.statusCode).toBe(200);
    expect(mermaid.headers['content-type']).toMatch(/^text\/plain/);
    expect(mermaid.body).toMatch(/^%% Order ORD-.*\nflowchart LR\n/);
    for (const id of subOrderIds) expect(mermaid.body).toContain(`${id} Site`);
    expect(mermaid.body.match(/subgraph /g)).toHaveLength(3);
    expect(mermaid.body).toContain('class ');
    expect(mermaid.body).toContain('jeopardy_red');
    expect(mermaid.body).toContain(`fall-out ${falloutId}`);

    const svg = await svgOf(orderId);
    const groups = elementsOf(svg, 'sub-order');
    expect(groups.map((g) => g['@_data-id'])).toEqual(subOrderIds);
    const nodes = elementsOf(svg, 'node');
    expect(nodes).toHaveLength(3 * 2 + 3 * 2 * 3);
    expect(nodes.find((n) => n['@_data-id'] === `${subOrderIds[2]}-D01-T02`)!['@_data-jeopardy']).toBe('red');
    expect(nodes.find((n) => n['@_data-id'] === `${subOrderIds[0]}-D01-T03`)!['@_data-fallouts']).toBe(
      falloutId,
    );
    const across = elementsOf(svg, 'across');
    expect(across.map((e) => [e['@_data-from'], e['@_data-to']])).toEqual([
      [`${subOrderIds[0]}-D02-T03`, `${subOrderIds[1]}-D01-T01`],
    ]);
  });

  it('collapses a 1,000-site order to its sub-orders with counts, every one of them in the SVG', async () => {
    const { orderId, subOrderIds } = await seedPlan(s.database.db, 1000, 3);
    const svg = await svgOf(orderId);
    const groups = elementsOf(svg, 'sub-order');
    expect(groups).toHaveLength(1000);
    expect(new Set(groups.map((g) => g['@_data-id']))).toEqual(new Set(subOrderIds));
    expect(elementsOf(svg, 'node')).toHaveLength(0);

    const mermaid = await s.app.inject({
      url: `/orders/${orderId}/graph`,
      headers: { authorization: s.authorization },
    });
    expect(mermaid.body).not.toContain('subgraph');
    expect(mermaid.body).toContain(`${subOrderIds[999]} Site 1000`);
    expect(mermaid.body).toContain('2 domain orders · 6 tasks: 1 completed, 2 running, 3 pending');
  });

  it('answers 404 for an unknown order', async () => {
    const res = await s.http('GET', '/orders/ORD-NOPE/graph');
    expect(res.status).toBe(404);
  });
});
