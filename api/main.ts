/** `npm run api`: the HTTP API alone, for production (any number of them behind a load balancer). */
import { openCore, onShutdown, startApi } from '../platform/bootstrap';
import { loadConfig } from '../platform/config';
import { startTracing } from '../platform/telemetry';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error(
    'npm run api needs DATABASE_URL: the embedded database serves one process only (use npm start)',
  );
  process.exit(2);
}
const tracing = startTracing('order-orchestration-api', { endpoint: config.otlpEndpoint });
const core = await openCore(config);
const api = await startApi(core, config, config.temporalAddress ?? '127.0.0.1:7233', tracing);
console.log(`API listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
onShutdown(async () => {
  await api.stop();
  await core.database.close();
  await tracing?.shutdown();
});
