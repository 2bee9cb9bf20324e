import type { LoadLimits } from './load-shedding';
import type { Client } from '@temporalio/client';
import type { SecuritySettings } from './auth';
import type { CatalogStore } from '../catalog/store';
import type { DownstreamSimulator } from '../downstream/simulator';
import type { Database } from '../db/client';
import type { FulfilmentSettings, HubDeliverySettings } from '../workflows/contracts';

/** What the API is built over: the app hands it to each route plugin, and each route to its service. */
export interface AppDeps extends SecuritySettings {
  database: Database;
  temporal: Client;
  taskQueue: string;
  catalogs: CatalogStore;
  simulator: DownstreamSimulator;
  /** How long each quote approver has before escalation (default 48 hours). */
  approvalDeadlineSeconds?: number;
  /** How long a quote may be accepted after it is created (default 30 days). */
  quoteValiditySeconds?: number;
  /** How orders are fulfilled: plan-minute length, sub-order window, history limit. */
  fulfilment?: Partial<FulfilmentSettings>;
  /** Enables `POST /simulator/faults`. */
  devMode: boolean;
  logger?: boolean | { level: string };
  /** The TMF event hub: callback hosts (`HUB_CALLBACK_ALLOWLIST`; loopback in dev mode) and retries. */
  hub?: { callbackAllowlist?: string[]; delivery?: Partial<HubDeliverySettings> };
  /** `GET /metrics` without a token (`METRICS_PUBLIC`); by default it needs `admin` or `viewer`. */
  metricsPublic?: boolean;
  /** Load shedding (`API_MAX_IN_FLIGHT`, `API_MAX_EVENT_LOOP_DELAY_MS`): 503 past these. */
  load?: LoadLimits;
}
