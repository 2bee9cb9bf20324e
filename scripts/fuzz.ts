/**
 * `npm run fuzz`: Schemathesis over every operation of `/docs/json`, against a product this script starts
 * (its own dev server, scratch database, worker and API on a free port), as a principal holding every role.
 *
 *   npm run fuzz                          3 minutes (the budget the test suite runs, see README)
 *   npm run fuzz -- --max-time 600        10 minutes
 *   npm run fuzz -- --seed 42             reproduce a run (Schemathesis prints its seed)
 *   npm run fuzz -- --checks not_a_server_error,response_schema_conformance   some checks only
 *   npm run fuzz -- --only '^/simulator/'  the operations whose path matches
 *
 * Every check Schemathesis has runs (`schemathesis.toml`): no 5xx, answers and status codes as documented,
 * schema-valid requests accepted, invalid ones refused, 405 for undocumented methods. Then it looks for what
 * a request left half done (scripts/leftovers.ts). Exit code: Schemathesis', or 1 for a leftover.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../platform/config';
import { installSchemathesis, runSchemathesis, SCHEMATHESIS_VERSION } from '../platform/schemathesis';
import { seedFixtures } from './fuzz-fixtures';
import { findLeftovers } from './leftovers';
import { startScratchProduct } from './scratch-product';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const maxTime = Number(option('max-time') ?? 180);
const seed = option('seed');
/** `--checks a,b`: only those (the bounded run of the test suite); every check by default. */
const checks = option('checks');
/** `--only regex`: the operations whose path matches (to reproduce a finding). */
const only = option('only');
const log = (line: string) => console.log(`[fuzz] ${line}`);

if (!installSchemathesis(log)) {
  console.error(`[fuzz] schemathesis==${SCHEMATHESIS_VERSION} is not installed and pip could not install it`);
  process.exit(2);
}

const product = await startScratchProduct(log);
let exitCode = 1;
try {
  const engine = await product.startEngine();
  const url = await engine.listen();
  const fixtures = await seedFixtures(engine, log);
  log(`product at ${url}; Schemathesis ${SCHEMATHESIS_VERSION} for ${maxTime} s`);
  const reportDir = path.join(projectRoot, '.data', 'fuzz');
  mkdirSync(reportDir, { recursive: true });
  exitCode = await runSchemathesis(
    [
      'run',
      `${url}/docs/json`,
      '--header',
      `Authorization: Bearer ${engine.token}`,
      '--max-time',
      String(maxTime),
      // One worker: with two, Hypothesis parses lambda sources from two threads at once, which CPython
      // 3.11 can fail with "AST constructor recursion depth mismatch" (a runtime error, not a finding).
      '--workers',
      '1',
      '--report',
      'junit,ndjson',
      '--report-dir',
      reportDir,
      ...(seed ? ['--seed', seed] : []),
      ...(checks ? ['--checks', checks] : []),
      ...(only ? ['--include-path-regex', only] : []),
    ],
    projectRoot,
    // Who the token names, for the bodies that say who acts (scripts/fuzz-hooks.py).
    // And the IDs of resources that exist, for half of the schema-valid requests that name one.
    {
      SCHEMATHESIS_HOOKS: path.join(projectRoot, 'scripts', 'fuzz-hooks.py'),
      FUZZ_SUBJECT: engine.subject,
      FUZZ_FIXTURES: JSON.stringify(fixtures),
    },
  );
  // Pass also means nothing half done: no workflow without its records, no records without theirs.
  let looked = '';
  const leftovers = await findLeftovers(product.database.db, product.client, engine.taskQueue, (counts) => {
    looked = Object.entries(counts)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ');
  });
  for (const leftover of leftovers) log(`left behind: ${leftover}`);
  log(`leftovers: ${leftovers.length}, looking at ${looked}`);
  if (leftovers.length > 0 && exitCode === 0) exitCode = 1;
  await engine.stop();
} finally {
  await product.stop();
}
log(exitCode === 0 ? 'clean' : `Schemathesis exited with ${exitCode}`);
process.exit(exitCode);
