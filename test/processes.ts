/**
 * The product's own processes (`npm run worker`, `npm run api`) started as children of a test, on the
 * run's database and Temporal server, so that a fault test can SIGKILL them as an operator's machine would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Starts `node --import tsx <script>` with `env`; resolves once its output shows `ready`. */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  ready: string | RegExp,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${output}`)), 60_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (typeof ready === 'string' ? output.includes(ready) : ready.test(output)) {
        clearTimeout(timer);
        child.off('exit', exited);
        resolve();
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${output}`));
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', exited);
  });
  return child;
}

/** `npm run worker` on `taskQueue`, polling. */
export function startWorkerProcess(taskQueue: string, env: Record<string, string> = {}) {
  return startProcess('worker/main.ts', { TEMPORAL_TASK_QUEUE: taskQueue, ...env }, 'Worker polling');
}

/** `npm run api` on `port`, starting workflows on `taskQueue`, with the run's local token issuer. */
export function startApiProcess(taskQueue: string, port: number, env: Record<string, string> = {}) {
  return startProcess(
    'api/main.ts',
    {
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: inject('authDataDir'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    'API listening',
  );
}

/** SIGKILL: no shutdown hook runs, nothing is flushed; resolves once the process is gone. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
