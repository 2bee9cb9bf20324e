import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/client';
import { catalogVersions } from '../db/schema';
import type { Catalog } from './schema';
import { validateCatalog } from './validate';

/** The catalog that ships with the code, beside this file. */
export const defaultCatalogPath = fileURLToPath(new URL('./catalog.json', import.meta.url));

/** Reads and validates the catalog file; throws a CatalogError naming each bad entry. */
export function readCatalog(file = defaultCatalogPath): Catalog {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the catalog ${file}: ${(err as Error).message}`);
  }
  return validateCatalog(document);
}

/**
 * Stores the catalog version in the database (idempotent). A version already loaded with other content
 * is refused: a changed catalog needs a new version so that running orders keep theirs.
 */
export async function storeCatalog(db: Db, catalog: Catalog): Promise<void> {
  const checksum = createHash('sha256').update(JSON.stringify(catalog)).digest('hex');
  const inserted = await db
    .insert(catalogVersions)
    .values({ version: catalog.version, checksum, document: catalog })
    .onConflictDoNothing()
    .returning({ version: catalogVersions.version });
  if (inserted.length > 0) return;
  const existing = await db.query.catalogVersions.findFirst({
    where: (t, { eq }) => eq(t.version, catalog.version),
  });
  if (existing && existing.checksum !== checksum) {
    throw new Error(
      `Catalog version ${catalog.version} is already loaded with different content; give the changed catalog a new version`,
    );
  }
}
