/**
 * The Temporal server stopped and started again mid-order, as `npm start` runs it (state in a SQLite file
 * with the WAL pragmas): the order waits while the server is away (the API answers 503 for what needs
 * it), then finishes once it is back, every state change and inventory record once. The worker and the
 * API keep their connections and reconnect by themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDevServer, type DevServer } from '../../platform/dev-server';
import { expectEffectsOnce } from '../effects';
import { eventually, startHarness, type Harness } from '../harness';
import { orderFor, runningTask, site } from '../lifecycle';

let dir: string;
let port: number;
let server: DevServer | undefined;
let h: Harness;
const start = () => startDevServer({ port, dbFilename: path.join(dir, 'temporal.db') });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-restart-'));
  port = await freePort();
  server = await start();
  h = await startHarness({ temporalAddress: server.address });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Temporal server restarted mid-order', () => {
  it('loses nothing: the order finishes, each change once', { timeout: 180_000 }, async () => {
    const { orderId } = await orderFor(
      h,
      {
        members: [site('dock', 'Dry dock')],
        items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'dock' } }],
      },
      { name: 'Leuchtturm Werft' },
    );
    const taskId = await runningTask(h, orderId, 'field');

    await server!.stop();
    server = undefined;
    // While it is away: reads from the database still answer; what needs Temporal is a 503, not a 500.
    expect((await h.http('GET', `/orders/${orderId}`)).body.state).toBe('inProgress');
    const refused = await h.by('technician')('POST', `/tasks/${taskId}/complete`, {});
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');

    server = await start();
    await eventually(
      async () =>
        (await h.by('technician')('POST', `/tasks/${taskId}/complete`, {})).status === 202 ? true : undefined,
      'the task to take its completion once the server is back',
      60_000,
    );
    await eventually(
      async () => ((await h.http('GET', `/orders/${orderId}`)).body.state === 'completed' ? true : undefined),
      'the order to complete after the restart',
      90_000,
    );
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
    expect(events.filter((e) => e.entityId === taskId && e.toState === 'completed')).toHaveLength(1);
  });
});
