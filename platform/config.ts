import type { HubDeliverySettings } from '../workflows/contracts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder, whichever file imports this. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The folder for local state (embedded database, Temporal dev-server file). Ignored by git. */
export const dataDir = process.env.DATA_DIR ?? path.join(projectRoot, '.data');

export interface Config {
  /** HTTP port of the API. */
  port: number;
  /** Host the API binds to. */
  host: string;
  /** PostgreSQL URL; when absent the embedded PGlite database in `pgliteDir` is used. */
  databaseUrl?: string;
  /** Connections per process to PostgreSQL. */
  databasePoolSize: number;
  /** The folder of the embedded PGlite database, under `dataDir`. */
  pgliteDir: string;
  /** An existing Temporal frontend; when absent `npm start` starts a dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalTaskQueue: string;
  /** Ports of the dev server that `npm start` runs when no `TEMPORAL_ADDRESS` is given. */
  temporalPort: number;
  temporalUiPort: number;
  /** Base URL of the Temporal Web UI, for links printed and served. */
  temporalUiUrl?: string;
  /** Latency of the built-in downstream simulator, in milliseconds. */
  simulatorLatencyMs: number;
  /** How long each quote approver has before the decision escalates to the manager above. */
  approvalDeadlineSeconds: number;
  /** How long a quote may be accepted after it is created. */
  quoteValiditySeconds: number;
  /** `FEASIBILITY_VALID_DAYS`: how long a quote-time feasibility result spares order approval's check. */
  feasibilityValidDays: number;
  /** How long one planned minute of the catalog lasts on the clock (jeopardy and due dates). */
  planMinuteMs: number;
  /** Most sub-orders an order workflow runs at once. */
  maxSubOrdersInFlight: number;
  /** How long a fall-out case waits for its assignment group before it escalates. */
  falloutEscalationMs: number;
  /** A prebuilt workflow bundle for the worker to load instead of bundling `workflows/` at start. */
  workflowBundlePath?: string;
  /** Allows the dev-only endpoints (the simulator's fault injection). */
  devMode: boolean;
  /**
   * The operator's OpenID Connect provider (`AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_JWKS_URL`); when absent
   * the product is its own issuer, its key in `<dataDir>/auth`.
   */
  auth?: { issuer: string; audience: string; jwksUrl?: string };
  /** `AUTH_ROLES_CLAIM`: where the token carries its roles, a dotted path (`realm_access.roles`). */
  authRolesClaim: string;
  /** Requests one principal may make per minute before 429 (`RATE_LIMIT_PER_MINUTE`). */
  rateLimitPerMinute: number;
  /** Requests served at once before 503 (`API_MAX_IN_FLIGHT`; 0: no bound). */
  maxInFlight: number;
  /** Event-loop delay past which requests get 503 (`API_MAX_EVENT_LOOP_DELAY_MS`; 0: no bound). */
  maxEventLoopDelayMs: number;
  /** `METRICS_PUBLIC=true`: `GET /metrics` needs no token (a scraper on a trusted network); else admin or viewer. */
  metricsPublic: boolean;
  /**
   * The TMF event hub: `HUB_CALLBACK_ALLOWLIST` (comma-separated hosts, `*.example.com` for a domain;
   * loopback in dev mode when unset) and how deliveries retry (`HUB_RETRY_WINDOW_HOURS`, 24;
   * `HUB_MAX_RETRY_INTERVAL_SECONDS`, 300; `HUB_FAILING_RETRY_SECONDS`, 600).
   */
  hub: { callbackAllowlist?: string[]; delivery: Partial<HubDeliverySettings> };
  /** `METRICS_PORT`: where the worker serves the Temporal SDK's Prometheus metrics; none when unset. */
  metricsPort?: number;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: where traces go over OTLP/HTTP; tracing is off when unset. */
  otlpEndpoint?: string;
}

function intFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`Environment variable ${name} must be an integer between 0 and 65535, got "${raw}"`);
  }
  return value;
}

function positiveFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  return value;
}

function nonEmpty(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function authFrom(): Config['auth'] {
  const issuer = nonEmpty('AUTH_ISSUER');
  if (!issuer) return undefined;
  const audience = nonEmpty('AUTH_AUDIENCE');
  if (!audience) throw new Error('AUTH_ISSUER is set: AUTH_AUDIENCE must name the audience tokens carry');
  return { issuer, audience, jwksUrl: nonEmpty('AUTH_JWKS_URL') };
}

export function loadConfig(): Config {
  const temporalPort = intFrom('TEMPORAL_PORT', 7233);
  const temporalUiPort = intFrom('TEMPORAL_UI_PORT', temporalPort + 1000);
  return {
    port: intFrom('PORT', 3000),
    host: nonEmpty('HOST') ?? '0.0.0.0',
    databaseUrl: nonEmpty('DATABASE_URL'),
    databasePoolSize: positiveFrom('DATABASE_POOL_SIZE', 10),
    pgliteDir: path.join(dataDir, 'pglite'),
    temporalAddress: nonEmpty('TEMPORAL_ADDRESS'),
    temporalNamespace: nonEmpty('TEMPORAL_NAMESPACE') ?? 'default',
    temporalTaskQueue: nonEmpty('TEMPORAL_TASK_QUEUE') ?? 'order-orchestration',
    temporalPort,
    temporalUiPort,
    temporalUiUrl: nonEmpty('TEMPORAL_UI_URL'),
    simulatorLatencyMs: intFrom('SIMULATOR_LATENCY_MS', 50),
    approvalDeadlineSeconds: positiveFrom('APPROVAL_DEADLINE_SECONDS', 48 * 3600),
    quoteValiditySeconds: positiveFrom('QUOTE_VALIDITY_DAYS', 30) * 86_400,
    feasibilityValidDays: intFrom('FEASIBILITY_VALID_DAYS', 30),
    planMinuteMs: positiveFrom('PLAN_MINUTE_MS', 60_000),
    maxSubOrdersInFlight: positiveFrom('MAX_SUB_ORDERS_IN_FLIGHT', 200),
    falloutEscalationMs: positiveFrom('FALLOUT_ESCALATION_MINUTES', 240) * 60_000,
    workflowBundlePath: nonEmpty('WORKFLOW_BUNDLE_PATH'),
    devMode: (nonEmpty('DEV_MODE') ?? 'true') !== 'false',
    auth: authFrom(),
    authRolesClaim: nonEmpty('AUTH_ROLES_CLAIM') ?? 'roles',
    rateLimitPerMinute: positiveFrom('RATE_LIMIT_PER_MINUTE', 1200),
    maxInFlight: intFrom('API_MAX_IN_FLIGHT', 512),
    maxEventLoopDelayMs: intFrom('API_MAX_EVENT_LOOP_DELAY_MS', 1000),
    metricsPublic: nonEmpty('METRICS_PUBLIC') === 'true',
    metricsPort: nonEmpty('METRICS_PORT') === undefined ? undefined : intFrom('METRICS_PORT', 0),
    otlpEndpoint: nonEmpty('OTEL_EXPORTER_OTLP_ENDPOINT'),
    hub: {
      callbackAllowlist: nonEmpty('HUB_CALLBACK_ALLOWLIST')
        ?.split(',')
        .map((host) => host.trim())
        .filter(Boolean),
      delivery: {
        retryWindowMs: positiveFrom('HUB_RETRY_WINDOW_HOURS', 24) * 3600_000,
        maxRetryIntervalMs: positiveFrom('HUB_MAX_RETRY_INTERVAL_SECONDS', 300) * 1000,
        failingRetryMs: positiveFrom('HUB_FAILING_RETRY_SECONDS', 600) * 1000,
      },
    },
  };
}
