/**
 * `npm start`: the whole product in one process. Starts the Temporal dev server (unless TEMPORAL_ADDRESS
 * names one), opens the database (PostgreSQL from DATABASE_URL, else embedded PGlite), runs the worker
 * and the API, and prints where everything is.
 */
import path from 'node:path';
import { openCore, onShutdown, startApi, startWorker } from '../platform/bootstrap';
import type { AuthSettings } from '../api/auth/verifier';
import { roles } from '../domain/roles';
import { dataDir, loadConfig } from '../platform/config';
import { startDevServer, type DevServer } from '../platform/dev-server';
import { installRuntime, startTracing } from '../platform/telemetry';

const config = loadConfig();
const log = (line: string) => console.log(`[start] ${line}`);

let devServer: DevServer | undefined;
let address = config.temporalAddress;
let uiUrl = config.temporalUiUrl;
if (!address) {
  devServer = await startDevServer({
    ip: '127.0.0.1',
    port: config.temporalPort,
    uiPort: config.temporalUiPort,
    namespace: config.temporalNamespace,
    dbFilename: path.join(dataDir, 'temporal.db'),
    log,
  });
  address = devServer.address;
  uiUrl = uiUrl ?? devServer.uiUrl;
}

installRuntime(config.metricsPort);
const tracing = startTracing('order-orchestration', { endpoint: config.otlpEndpoint });
const core = await openCore(config);
const worker = await startWorker(core, config, address, tracing);
const api = await startApi(core, config, address, tracing);

onShutdown(async () => {
  await api.stop();
  await worker.stop();
  await core.database.close();
  await devServer?.stop();
  await tracing?.shutdown();
});

const apiUrl = `http://127.0.0.1:${config.port}`;
const tokens = await devTokens(api.auth);
console.log(`
  Telecom order orchestration is up.
    API           ${apiUrl}
    OpenAPI       ${apiUrl}/docs/json   (interactive: ${apiUrl}/docs)
    Health        ${apiUrl}/health
    Temporal      ${address} (namespace ${config.temporalNamespace}, task queue ${config.temporalTaskQueue})
    Temporal UI   ${uiUrl ? `${uiUrl}/namespaces/${config.temporalNamespace}/workflows` : '(not started here; see TEMPORAL_UI_URL)'}
    Database      ${core.database.location}
    Metrics       ${apiUrl}/metrics${config.metricsPort !== undefined ? `, Temporal SDK on http://127.0.0.1:${config.metricsPort}/metrics` : ''}
    Traces        ${config.otlpEndpoint ? `OTLP to ${config.otlpEndpoint}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}
${tokens}  Ctrl-C stops it; running orders resume on the next start.
`);

/** Ready tokens, one per role, for the walkthrough; with the operator's issuer, where tokens come from. */
async function devTokens(auth: AuthSettings): Promise<string> {
  if (auth.kind === 'oidc')
    return `    Identity      tokens from ${auth.issuer} (audience ${auth.audience})\n`;
  const lines = await Promise.all(
    roles.map(
      async (role) =>
        `      ${role.padEnd(16)}${await auth.issuer.sign({ subject: `dev-${role}`, roles: [role] })}`,
    ),
  );
  return `    Identity      local issuer, JWKS ${apiUrl}/.well-known/jwks.json; more with npm run -s token -- --sub <name> --role <role>
    Dev tokens (12 h, subject dev-<role>):
${lines.join('\n')}
`;
}
