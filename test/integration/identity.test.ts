/**
 * Identity and roles through HTTP on the real stack: every route is guarded as its declaration says, an
 * approval is decided by who the caller is (four-eyes included), and the audit trail names the principal.
 */
import Fastify from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccessControl } from '../../api/auth/access';
import { tasks } from '../../db/schema';
import { roles, type Role } from '../../domain/roles';
import { quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { eventually, startHarness, type Harness } from '../harness';
import { acceptedQuote, auditOf, createAccount, createQuote, runningTask } from '../lifecycle';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

interface Operation {
  method: string;
  path: string;
  roles: Role[] | 'public';
}

/** The route table as the OpenAPI document publishes it: each operation and the roles it admits. */
async function operations(): Promise<Operation[]> {
  const doc = (await h.http('GET', '/docs/json')).body;
  return Object.entries(
    doc.paths as Record<string, Record<string, { description?: string; security?: unknown }>>,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const declared = /Roles: (.*)\.$/m.exec(op.description ?? '')?.[1];
      return {
        method: method.toUpperCase(),
        path: path.replace(/\{(\w+)\}/g, 'X-$1'),
        roles: declared
          ? (declared.match(/`(\w+)`/g)!.map((r) => r.slice(1, -1)) as Role[])
          : ('public' as const),
      };
    }),
  );
}

describe('the route table', () => {
  it('guards every route that is not public: 401 without a token, 403 with none of its roles', async () => {
    const table = await operations();
    const open = table.filter((o) => o.roles === 'public').map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual(['GET /.well-known/jwks.json', 'GET /health']);
    const guarded = table.filter((o): o is Operation & { roles: Role[] } => o.roles !== 'public');
    expect(guarded.length).toBeGreaterThan(30);
    for (const op of guarded) {
      const what = `${op.method} ${op.path}`;
      const anonymous = await h.http(op.method as 'GET', op.path, op.method === 'GET' ? undefined : {}, {
        authorization: '',
      });
      expect(anonymous.status, what).toBe(401);
      expect(anonymous.body.error.code, what).toBe('unauthenticated');
      expect(anonymous.headers['www-authenticate'], what).toMatch(/^Bearer /);
      const outsider = roles.find((r) => !op.roles.includes(r));
      if (!outsider) continue; // a route every role may read
      const refused = await h.as('outsider', outsider)(
        op.method as 'GET',
        op.path,
        op.method === 'GET' ? undefined : {},
      );
      expect(refused.status, `${what} as ${outsider}`).toBe(403);
      expect(refused.body.error.code, what).toBe('forbidden');
    }
  });

  it('admits only the writers the matrix names for each change', async () => {
    const table = await operations();
    const rolesOf = (method: string, path: string) =>
      table.find((o) => o.method === method && o.path === path)?.roles;
    expect(rolesOf('POST', '/quotes/X-id/decisions')).toEqual(['salesManager', 'financeManager']);
    expect(rolesOf('POST', '/orders')).toEqual(['orderManager']);
    expect(rolesOf('POST', '/fallouts/X-id/resolve')).toEqual(['falloutAgent']);
    expect(rolesOf('PUT', '/simulator/systems/X-system')).toEqual(['admin']);
    expect(rolesOf('POST', '/tasks/X-id/complete')).toEqual([
      'fieldTechnician',
      'backOffice',
      'projectManager',
    ]);
  });

  it('refuses to build an app with a route that declares no access', async () => {
    const app = Fastify();
    registerAccessControl(app, { verify: async () => ({ subject: 'x', roles: [] }) });
    expect(() => app.get('/undeclared', async () => 'open')).toThrow(/GET \/undeclared declares no access/);
    await app.close();
  });
});

describe('approvals decided by who the caller is', () => {
  it('takes the approvers from their tokens, bars the author (four-eyes) and a viewer, and audits both subjects', async () => {
    const accountId = await createAccount(h);
    const author = h.as('sam-sales', 'sales', 'salesManager');
    const created = await author('POST', '/quotes', {
      accountId,
      members: [{ ref: 'hq', kind: 'location', name: 'Berlin HQ', address: 'Alexanderplatz 1' }],
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct: 30 }],
    });
    expect(created.status).toBe(201);
    const quoteId = created.body.id;
    expect((await author('POST', `/quotes/${quoteId}/submit`)).body.approval.awaiting).toBe('salesManager');

    // The author holds salesManager, but cannot approve their own version.
    const own = await author('POST', `/quotes/${quoteId}/decisions`, { decision: 'approve' });
    expect(own.status).toBe(403);
    expect(own.body.error.details[0]).toMatchObject({ rule: 'four_eyes' });
    expect(own.body.error.message).toMatch(/sam-sales made quote .* \(four-eyes rule\)/);
    // A viewer cannot decide, whatever role the body claims.
    const viewer = await h.as('vic-viewer', 'viewer')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'salesManager',
    });
    expect(viewer.status).toBe(403);
    // A sales manager cannot decide as finance manager by naming the role.
    const mia = h.as('mia-manager', 'salesManager');
    const claimed = await mia('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      role: 'financeManager',
    });
    expect(claimed.status).toBe(403);
    expect(claimed.body.error.message).toMatch(/does not hold/);

    const first = await mia('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
      comment: 'strategic',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.approval).toMatchObject({ awaiting: 'financeManager' });
    // The sales manager's token does not reach the finance level.
    expect((await mia('POST', `/quotes/${quoteId}/decisions`, { decision: 'approve' })).status).toBe(403);
    const second = await h.as('fred-finance', 'financeManager')('POST', `/quotes/${quoteId}/decisions`, {
      decision: 'approve',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.state).toBe('approved');

    const status = await h.client.workflow
      .getHandle(workflowId.quoteApproval(quoteId, 1))
      .query(quoteStatusQuery);
    expect(status.decisions).toMatchObject([
      { role: 'salesManager', approver: 'mia-manager', decision: 'approve' },
      { role: 'financeManager', approver: 'fred-finance', decision: 'approve' },
    ]);
    const { events } = await auditOf(h, quoteId);
    expect(events.map((e: { actor: string; actorRole: string | null }) => [e.actor, e.actorRole])).toEqual(
      expect.arrayContaining([
        ['sam-sales', 'sales'],
        ['mia-manager', 'salesManager'],
        ['fred-finance', 'financeManager'],
      ]),
    );
  });

  it('bars the four-eyes breach in the workflow too, for a client that goes around the API', async () => {
    const accountId = await createAccount(h);
    const quoteId = await createQuote(h, accountId, {
      items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' }, discountPct: 20 }],
    });
    await h.http('POST', `/quotes/${quoteId}/submit`);
    const handle = h.client.workflow.getHandle(workflowId.quoteApproval(quoteId, 1));
    await expect(
      handle.executeUpdate('decide', {
        args: [{ decision: 'approve', role: 'salesManager', approver: 'tester' }],
      }),
    ).rejects.toMatchObject({ cause: { type: 'FourEyes', message: expect.stringMatching(/four-eyes/) } });
  });
});

describe('tasks by who the caller is', () => {
  it('lets the technician complete a field task; a sales token is refused and changes nothing', async () => {
    const accountId = await createAccount(h);
    const quoteId = await acceptedQuote(h, accountId);
    const orderId = (await h.as('olga-orders', 'orderManager')('POST', '/orders', { quoteId })).body.id;
    const taskId = await runningTask(h, orderId, 'field');

    const sales = await h.as('sam-sales', 'sales')('POST', `/tasks/${taskId}/complete`, {});
    expect(sales.status).toBe(403);
    // A back-office agent passes the route but not the field task's own role.
    const office = await h.as('bea-office', 'backOffice')('POST', `/tasks/${taskId}/complete`, {});
    expect(office.status).toBe(403);
    expect(office.body.error.message).toMatch(/fieldTechnician/);
    const tech = h.as('tom-tech', 'fieldTechnician');
    const impostor = await tech('POST', `/tasks/${taskId}/complete`, { by: 'someone-else' });
    expect(impostor.status).toBe(403);
    expect(impostor.body.error.details[0]).toMatchObject({ field: 'body.by', rule: 'principal' });
    const [still] = await h.database.db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(still.state).toBe('running');

    // The technician sees the field work queue, not quotes.
    const queue = await tech('GET', `/tasks?orderId=${orderId}`);
    expect(queue.body.tasks.length).toBeGreaterThan(0);
    expect(new Set(queue.body.tasks.map((t: { kind: string }) => t.kind))).toEqual(new Set(['field']));
    expect((await tech('GET', `/quotes/${quoteId}`)).status).toBe(403);

    expect((await tech('POST', `/tasks/${taskId}/complete`, { note: 'modem installed' })).status).toBe(202);
    const completion = await eventually(async () => {
      const { events } = await auditOf(h, taskId);
      return events.find((e: { toState: string }) => e.toState === 'completed');
    }, 'the task completed');
    expect(completion).toMatchObject({ actor: 'tom-tech' });
    const orderAudit = await h.http('GET', `/orders/${orderId}/audit`);
    expect(
      orderAudit.body.events.find((e: { entityType: string }) => e.entityType === 'order'),
    ).toMatchObject({
      entityType: 'order',
      actor: 'olga-orders',
      actorRole: 'orderManager',
    });
  });
});
