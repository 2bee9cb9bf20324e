import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
/** The one database type the rest of the code sees, whichever driver is under it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where it is, without credentials, for logs and `/health`. */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
/** Where the project is, to name a PGlite folder inside it briefly. */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Serialises migrations when several processes (workers, APIs) start against one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_233_001;

/**
 * Opens PostgreSQL when `url` is given (with at most `poolSize` connections), else the embedded PGlite
 * database in `pgliteDir` (`memory://` for one in memory); runs migrations. The caller's configuration
 * decides all three.
 */
export async function openDatabase(url?: string, pgliteDir?: string, poolSize = 10): Promise<Database> {
  if (url) return openPostgres(url, poolSize);
  if (!pgliteDir) throw new Error('No database: give a PostgreSQL URL or a folder for the embedded PGlite');
  return openPglite(pgliteDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max: poolSize, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const parsed = new URL(url);
  return {
    db,
    kind: 'postgres',
    location: `postgres://${parsed.host}${parsed.pathname}`,
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dir: string): Promise<Database> {
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir === 'memory://' ? undefined : dir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    location: dir === 'memory://' ? 'pglite (in memory)' : `pglite ${path.relative(projectRoot, dir) || dir}`,
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
