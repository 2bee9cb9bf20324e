/** `npm run fuzz:install`: Schemathesis (pinned) into .tools/ through pip; exits 1 when it cannot (CI needs it). */
import { installSchemathesis, SCHEMATHESIS_VERSION, schemathesisDir } from '../platform/schemathesis';

if (installSchemathesis((line) => console.log(line))) {
  console.log(`Schemathesis ${SCHEMATHESIS_VERSION}: ${schemathesisDir}`);
} else {
  console.error(`pip could not install schemathesis==${SCHEMATHESIS_VERSION} into ${schemathesisDir}`);
  process.exit(1);
}
