/** `npm run worker`: a worker process alone, for production (any number of them). */
import { openCore, onShutdown, startWorker } from '../platform/bootstrap';
import { loadConfig } from '../platform/config';
import { installRuntime, startTracing } from '../platform/telemetry';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error(
    'npm run worker needs DATABASE_URL: the embedded database serves one process only (use npm start)',
  );
  process.exit(2);
}
installRuntime(config.metricsPort);
const tracing = startTracing('order-orchestration-worker', { endpoint: config.otlpEndpoint });
const core = await openCore(config);
const worker = await startWorker(core, config, config.temporalAddress ?? '127.0.0.1:7233', tracing);
console.log(
  `Worker polling task queue ${config.temporalTaskQueue} on ${config.temporalAddress ?? '127.0.0.1:7233'}`,
);
onShutdown(async () => {
  await worker.stop();
  await core.database.close();
  await tracing?.shutdown();
});
