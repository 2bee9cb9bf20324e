import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { catalogVersions } from '../db/schema';
import type { Catalog } from './schema';

/** Catalog versions as stored in the database, cached: a version never changes once loaded. */
export class CatalogStore {
  private readonly cache = new Map<string, Catalog>();
  constructor(
    private readonly db: Db,
    /** The version new quotes are priced with. */
    readonly current: Catalog,
  ) {
    this.cache.set(current.version, current);
  }

  async get(version: string): Promise<Catalog> {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const row = await this.db.query.catalogVersions.findFirst({
      where: eq(catalogVersions.version, version),
    });
    if (!row) throw new Error(`Catalog version ${version} is not loaded`);
    const catalog = row.document as Catalog;
    this.cache.set(version, catalog);
    return catalog;
  }
}
