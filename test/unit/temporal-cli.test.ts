import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveTemporalCli } from '../../platform/temporal-cli';
import { isExecutable } from '../../platform/pip-tools';
import { localTestServerPath, resolveTestServer } from '../../platform/test-server';

const fakeCli = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const file = path.join(dir, 'temporal');
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return { dir, file };
};

afterEach(() => vi.unstubAllEnvs());

describe('finding the Temporal CLI', () => {
  it('takes TEMPORAL_CLI_PATH first', () => {
    const { file } = fakeCli();
    vi.stubEnv('TEMPORAL_CLI_PATH', file);
    expect(resolveTemporalCli()).toEqual({ source: 'TEMPORAL_CLI_PATH', path: file });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable', () => {
    vi.stubEnv('TEMPORAL_CLI_PATH', '/nonexistent/temporal');
    expect(() => resolveTemporalCli()).toThrow(/not an executable/);
  });

  it('then `temporal` on PATH', () => {
    const { dir, file } = fakeCli();
    vi.stubEnv('TEMPORAL_CLI_PATH', '');
    vi.stubEnv('PATH', `${dir}${path.delimiter}${process.env.PATH}`);
    expect(resolveTemporalCli()).toEqual({ source: 'PATH', path: file });
  });
});

describe('finding the time-skipping test server', () => {
  it('takes TEMPORAL_TEST_SERVER_PATH first', () => {
    const { file } = fakeCli();
    vi.stubEnv('TEMPORAL_TEST_SERVER_PATH', file);
    expect(resolveTestServer()).toEqual({ source: 'TEMPORAL_TEST_SERVER_PATH', path: file });
  });

  it('refuses a TEMPORAL_TEST_SERVER_PATH that is not executable', () => {
    vi.stubEnv('TEMPORAL_TEST_SERVER_PATH', '/nonexistent/temporal-test-server');
    expect(() => resolveTestServer()).toThrow(/not an executable/);
  });

  // Installed by `npm run temporal:install`, which CI runs first.
  it.runIf(isExecutable(localTestServerPath))('then the project-local install under .tools/', () => {
    vi.stubEnv('TEMPORAL_TEST_SERVER_PATH', '');
    expect(resolveTestServer()).toEqual({ source: 'project', path: localTestServerPath });
  });
});
