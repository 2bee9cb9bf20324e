/**
 * A database of a test file's own, with the catalog stored, for a test that locks tables or the outbox
 * (so that its locks stall no other test of the run); dropped by the file's `afterAll`.
 */
import { readCatalog, storeCatalog } from '../catalog/load';
import { openDatabase } from '../db/client';
import { createScratchDatabase, type ScratchDatabase } from '../platform/scratch-database';

export async function createOwnDatabase(prefix: string): Promise<ScratchDatabase> {
  const own = await createScratchDatabase(prefix);
  const database = await openDatabase(own.url);
  await storeCatalog(database.db, readCatalog());
  await database.close();
  return own;
}
