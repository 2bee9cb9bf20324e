import type { Db } from '../db/client';
import type { CatalogStore } from '../catalog/store';
import { amendmentActivities } from './amendments';
import { cancellationActivities } from './cancellation';
import { falloutActivities } from './fallouts';
import { orderActivities } from './orders';
import { quoteActivities } from './quotes';
import type { DownstreamSimulator } from '../downstream/simulator';
import { taskActivities } from './tasks';

export interface ActivityDeps {
  db: Db;
  catalogs: CatalogStore;
  simulator: DownstreamSimulator;
}

/** Every activity the worker registers, built over the given database (tests hand in their own). */
export function createActivities({ db, catalogs, simulator }: ActivityDeps) {
  return {
    ...quoteActivities(db),
    ...orderActivities(db, catalogs, simulator),
    ...taskActivities(db, simulator),
    ...falloutActivities(db),
    ...cancellationActivities(db, catalogs, simulator),
    ...amendmentActivities(db, catalogs),
  };
}

export type Activities = ReturnType<typeof createActivities>;
