import { spawn } from 'node:child_process';
import { installTool, isExecutable, onPath, toolDir, toolPath, type PipTool } from './pip-tools';

/**
 * Schemathesis, the property-based OpenAPI tester, as the Python package index carries it: installed per
 * project into `.tools/schemathesis` like the Temporal CLI (pure Python, so it runs with the machine's
 * python3 and `PYTHONPATH` pointing there; nothing reaches the machine's own site-packages).
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const tool: PipTool = { package: 'schemathesis', version: SCHEMATHESIS_VERSION, binary: 'st' };
export const schemathesisDir = toolDir(tool);

export const isSchemathesisInstalled = () => isExecutable(toolPath(tool));

export function installSchemathesis(log: (line: string) => void = () => {}): boolean {
  return isSchemathesisInstalled() || installTool(tool, log);
}

/** Runs `st <args>` with the project's install (and `env` besides the process's); resolves with its exit code. */
export function runSchemathesis(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<number> {
  const python = onPath('python3');
  if (!python) return Promise.reject(new Error('python3 is not on PATH'));
  const child = spawn(python, ['-m', 'schemathesis.cli', ...args], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...env, PYTHONPATH: schemathesisDir, PYTHONUNBUFFERED: '1' },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
