import type { CatalogStore } from '../catalog/store';
import type { Db } from '../db/client';
import type { DownstreamSimulator } from '../downstream/simulator';
import { amendmentActivities } from './amendments';
import { cancellationActivities } from './cancellation';
import { closureActivities } from './closure';
import { decompositionActivities } from './decomposition';
import { falloutActivities } from './fallouts';
import { hubActivities } from './hub-delivery';
import { jeopardyActivities } from './jeopardy';
import { orderApprovalActivities } from './order-approval';
import { quoteActivities } from './quotes';
import { taskActivities } from './tasks';
import { transitionActivities } from './transitions';
import { unrunWorkActivities } from './unrun-work';

export interface ActivityDeps {
  db: Db;
  catalogs: CatalogStore;
  simulator: DownstreamSimulator;
  /** How long a quote-time feasibility result stands in for order approval's own check; 0: never. */
  feasibilityValidDays?: number;
}

/**
 * Every activity the worker registers, built over the given database (tests hand in their own), one
 * factory per stage. The names are what workflows and recorded histories call: they never change.
 */
export function createActivities({ db, catalogs, simulator, feasibilityValidDays = 30 }: ActivityDeps) {
  return {
    ...transitionActivities(db),
    ...quoteActivities(db),
    ...orderApprovalActivities(db, simulator, feasibilityValidDays),
    ...decompositionActivities(db, catalogs),
    ...taskActivities(db, simulator),
    ...jeopardyActivities(db),
    ...falloutActivities(db),
    ...unrunWorkActivities(db),
    ...cancellationActivities(db, catalogs, simulator),
    ...amendmentActivities(db, catalogs),
    ...closureActivities(db, catalogs),
    ...hubActivities(db, catalogs),
  };
}

export type Activities = ReturnType<typeof createActivities>;
