/**
 * PostgreSQL unreachable for a while, mid-order: the API and the worker reach the run's database through
 * a TCP proxy the test cuts (every connection dropped, new ones refused) and restores. While it is down the
 * API answers 503 `unavailable` and `/health` names the database; the field visit reported straight to
 * Temporal (a device's path) waits in the workflow while its activities retry; once the database is back
 * the order completes, each change once.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../../platform/dev-server';
import { completeSignal, workflowId } from '../../workflows/contracts';
import { expectEffectsOnce } from '../effects';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor, runningTask, site } from '../lifecycle';

/** A TCP proxy to PostgreSQL that can be cut (sockets dropped, port closed) and restored on the same port. */
class Proxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

let proxy: Proxy;
let h: Harness;
beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  proxy = new Proxy(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
  await proxy.open();
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  h = await startHarness({ databaseUrl: url.toString() });
});
afterAll(async () => {
  await h?.stop();
  await proxy?.cut().catch(() => {});
});

describe('PostgreSQL unreachable mid-order', () => {
  it(
    'answers 503, names the database in /health, and the order finishes once it is back',
    { timeout: 120_000 },
    async () => {
      const { orderId } = await orderFor(
        h,
        {
          members: [site('store', 'Warehouse')],
          items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'store' } }],
        },
        { name: 'Kaispeicher GmbH' },
      );
      const taskId = await runningTask(h, orderId, 'field');

      await proxy.cut();
      const read = await h.http('GET', `/orders/${orderId}`);
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('unavailable');
      const health = await h.http('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({
        status: 'down',
        database: { status: 'down' },
        temporal: { status: 'up' },
      });

      // The technician's device reports the visit straight to the task's workflow, as the brief allows.
      const visitTask = h.client.workflow.getHandle(workflowId.task(taskId));
      await visitTask.signal(completeSignal, { by: 'device-7' });
      // The database stays away until the activity recording the visit has failed and been retried: its
      // second attempt is pending (a condition with a deadline, not a sleep).
      const retrying = await eventually(
        async () => {
          const pending = (await visitTask.describe()).raw.pendingActivities ?? [];
          return pending.find((a) => a.activityType?.name === 'recordTaskCompleted' && (a.attempt ?? 0) >= 2);
        },
        'the record of the visit to be retried while the database is away',
        60_000,
      );
      expect(retrying.lastFailure?.message).toBeTruthy();
      await proxy.open();

      await eventually(
        async () =>
          (await h.http('GET', `/orders/${orderId}`)).body.state === 'completed' ? true : undefined,
        'the order to complete once the database is back',
        90_000,
      );
      expect((await h.http('GET', '/health')).status).toBe(200);
      // Every effect once: the downstream call, each state move, the inventory, the service, the CMDB item.
      const { events } = await expectEffectsOnce(h.database.db, orderId, {
        products: 1,
        productState: 'active',
        services: 1,
        configurationItems: 1,
      });
      expect(events.filter((e) => e.entityType === 'order').map((e) => e.toState)).toEqual([
        'acknowledged',
        'inProgress',
        'completed',
      ]);
      const visit = events.filter((e) => e.entityId === taskId && e.toState === 'completed');
      expect(visit).toHaveLength(1);
      expect(visit[0].actor).toBe('device-7');
    },
  );
});
