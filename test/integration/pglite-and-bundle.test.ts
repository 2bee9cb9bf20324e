import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { transition } from '../../activities/transitions';
import { readCatalog, storeCatalog } from '../../catalog/load';
import { openDatabase } from '../../db/client';
import { auditEvents, quotes } from '../../db/schema';

describe('embedded PGlite database (used when no DATABASE_URL is given)', () => {
  it('migrates, stores the catalog idempotently and records a transition once per event key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
    try {
      const database = await openDatabase(undefined, dir);
      await storeCatalog(database.db, readCatalog());
      await storeCatalog(database.db, readCatalog());
      await database.db
        .insert(quotes)
        .values({ id: 'Q-1', accountId: 'ACC-1', state: 'inProgress', currentVersion: 1 });
      const change = {
        entity: 'quote' as const,
        id: 'Q-1',
        to: 'pending',
        eventKey: 'quote:Q-1:v1:submitted',
        actor: 'test',
      };
      expect(await transition(database.db, change)).toBe(true);
      expect(await transition(database.db, change)).toBe(false);
      const events = await database.db.select().from(auditEvents).where(eq(auditEvents.entityId, 'Q-1'));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        fromState: 'inProgress',
        toState: 'pending',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
      await database.close();

      // A restart finds the same data in the folder.
      const reopened = await openDatabase(undefined, dir);
      const [quote] = await reopened.db.select().from(quotes).where(eq(quotes.id, 'Q-1'));
      expect(quote.state).toBe('pending');
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the workflow bundle guard', () => {
  it('fails to bundle workflow code that imports a Node built-in', async () => {
    const dir = mkdtempSync(path.join(process.cwd(), 'workflows', '.tmp-'));
    try {
      writeFileSync(
        path.join(dir, 'index.ts'),
        "import { readFileSync } from 'node:fs';\nexport async function bad() { return readFileSync('/etc/hostname', 'utf8'); }\n",
      );
      const reported: string[] = [];
      const collect = (message: string, meta?: unknown) =>
        void reported.push(`${message} ${JSON.stringify(meta ?? '')}`);
      const logger = { trace() {}, debug() {}, info() {}, log() {}, warn: collect, error: collect };
      await expect(bundleWorkflowCode({ workflowsPath: path.join(dir, 'index.ts'), logger })).rejects.toThrow(
        /Webpack finished with errors/,
      );
      expect(reported.join('\n')).toMatch(/fs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
