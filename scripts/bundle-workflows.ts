/**
 * Bundles the workflow code the way the worker does. `--check` only proves it bundles: a workflow that
 * imports a Node built-in, the database or an activity implementation fails here, before any worker runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, workflowInterceptorModules, workflowsPath } from '../worker/worker';

const check = process.argv.includes('--check');
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules,
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
