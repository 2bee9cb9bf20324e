import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { dataDir, projectRoot } from '../platform/config';
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

const migrationsFolder = path.join(projectRoot, 'db', 'migrations');
/** Serialises migrations when several processes (workers, APIs) start against one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_233_001;

export const defaultPgliteDir = path.join(dataDir, 'pglite');

/** Opens PostgreSQL when `url` is given, else the embedded PGlite database in `pgliteDir`; runs migrations. */
export async function openDatabase(url?: string, pgliteDir = defaultPgliteDir): Promise<Database> {
  return url ? openPostgres(url) : openPglite(pgliteDir);
}

async function openPostgres(url: string): Promise<Database> {
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {} });
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
