/**
 * `npm run token -- --sub alice --role sales,salesManager [--name "Alice Adams"] [--ttl 3600]`: a token of
 * the product's own issuer (the one `npm start` runs when no AUTH_ISSUER is set), alone on stdout, so that
 * `TOKEN=$(npm run -s token -- --sub alice --role sales)` works in scripts.
 */
import { parseArgs } from 'node:util';
import { LocalIssuer } from '../api/auth/local-issuer';
import { isRole, roles } from '../domain/roles';
import { dataDir, loadConfig } from '../platform/config';

const usage = `usage: npm run token -- --sub <subject> --role <role[,role...]> [--name <display name>] [--ttl <seconds>]
roles: ${roles.join(', ')}`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
      ttl: { type: 'string' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (loadConfig().auth)
  fail('AUTH_ISSUER is set: tokens come from that identity provider, not from this command');
if (!values.sub) fail('--sub is required');
const asked = (values.role ?? [])
  .flatMap((r) => r.split(','))
  .map((r) => r.trim())
  .filter(Boolean);
if (asked.length === 0) fail('--role is required');
const unknown = asked.filter((r) => !isRole(r));
if (unknown.length) fail(`unknown role ${unknown.join(', ')}`);
const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
  fail('--ttl must be a positive integer');

const issuer = await LocalIssuer.open(dataDir);
console.log(
  await issuer.sign({ subject: values.sub, roles: asked.filter(isRole), name: values.name, ttlSeconds }),
);
