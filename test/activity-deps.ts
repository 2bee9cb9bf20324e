/**
 * What `createActivities` needs besides the database, built the one way every test builds it: the catalog
 * as loaded from `catalog/`, and the downstream simulator without latency.
 */
import type { ActivityDeps } from '../activities';
import { CatalogStore } from '../catalog/store';
import { DownstreamSimulator } from '../downstream/simulator';
import { readCatalog } from '../catalog/load';
import type { Db } from '../db/client';

export function activityDeps(db: Db): ActivityDeps {
  return { db, catalogs: new CatalogStore(db, readCatalog()), simulator: new DownstreamSimulator(db, 0) };
}
