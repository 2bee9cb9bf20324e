/**
 * Bundles the workflow code the way the worker does. `--check` only proves it bundles: a workflow that
 * imports a Node built-in, the database or an activity implementation fails here, before any worker runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  prebuiltBundlePath,
  workflowLogInterceptorModules,
  workflowTracingInterceptorModules,
  workflowsPath,
} from '../worker/worker';

const check = process.argv.includes('--check');
// The tracing interceptors go in when the workers will trace (and always in the check, which proves they bundle).
const traced = check || Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules: [
    ...workflowLogInterceptorModules,
    ...(traced ? workflowTracingInterceptorModules : []),
  ],
  logger: quietLogger(),
});
if (check) {
  console.log(`Workflow bundle OK (${(code.length / 1024).toFixed(0)} KiB)`);
} else {
  mkdirSync(path.dirname(prebuiltBundlePath), { recursive: true });
  writeFileSync(prebuiltBundlePath, code);
  console.log(`Wrote ${prebuiltBundlePath}`);
}

function quietLogger() {
  const noop = () => {};
  return { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
}
