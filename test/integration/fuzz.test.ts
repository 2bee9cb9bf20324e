/**
 * A bounded Schemathesis run (`npm run fuzz`, 120 s) over every operation of `/docs/json` on a product of
 * its own: no 5xx, every answer's status code, content type and body as documented, 405 for undocumented
 * methods. The full check set (schema-valid requests accepted, invalid ones refused) runs with
 * `npm run fuzz` itself; the README lists what it still reports. Skipped only when `.tools/schemathesis`
 * is missing, which it never is in CI (`.ci/run` runs `npm run fuzz:install`).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config';
import { isSchemathesisInstalled } from '../../platform/schemathesis';

const gate = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'unsupported_method',
].join(',');

describe.skipIf(!isSchemathesisInstalled())('npm run fuzz (bounded)', () => {
  it('finds no 5xx and no answer the OpenAPI document does not describe', { timeout: 420_000 }, () => {
    const run = spawnSync('npx', ['tsx', 'scripts/fuzz.ts', '--max-time', '120', '--checks', gate], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 400_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-6000)).toBe(0);
  });
});
