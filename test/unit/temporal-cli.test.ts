import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveTemporalCli } from '../../platform/temporal-cli';

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
