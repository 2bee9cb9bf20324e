/**
 * A bounded Schemathesis run (`npm run fuzz`, 120 s) over every operation of `/docs/json` on a product of
 * its own, with every check Schemathesis has: no 5xx; every answer's status code, content type and body as
 * documented; 405 for undocumented methods; schema-valid requests accepted and invalid ones refused.
 * Skipped only when `.tools/schemathesis` is missing, which it never is in CI (`.ci/run` runs
 * `npm run fuzz:install`).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config';
import { isSchemathesisInstalled } from '../../platform/schemathesis';

describe.skipIf(!isSchemathesisInstalled())('npm run fuzz (bounded)', () => {
  it(
    'finds no 5xx, no answer the document does not describe, and no request refused or accepted wrongly',
    { timeout: 420_000 },
    () => {
      const run = spawnSync('npx', ['tsx', 'scripts/fuzz.ts', '--max-time', '120'], {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 400_000,
      });
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output.slice(-6000)).toBe(0);
    },
  );
});
