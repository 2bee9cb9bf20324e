import postgres from 'postgres';

/** The machine's PostgreSQL server, where tests and benchmarks make databases of their own. */
export const defaultAdminUrl =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database named `<prefix>_<time>_<pid>` on the server behind `adminUrl`, so that runs
 * never collide; `drop()` removes it, closing what still holds it open.
 */
export async function createScratchDatabase(
  prefix: string,
  adminUrl = defaultAdminUrl,
): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
