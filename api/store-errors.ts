/**
 * What a failure of the database or of Temporal means for the caller: a store that cannot be reached is
 * 503 `unavailable` (retry later), never 500; a value PostgreSQL refuses that validation let through is
 * the caller's 400, and a duplicate key a 409. Drizzle and the Temporal client wrap the driver's error, so
 * the whole `cause` chain is read.
 */
import { ApiError } from './errors';

/** SQLSTATE classes and codes that say "the database is not there right now". */
const unreachableSqlStates = [/^08/, /^53/, /^57P0[123]$/, /^40001$/, /^40P01$/];
/** postgres.js' own codes and Node's socket errors when no connection can be made or kept. */
const unreachableCodes = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
]);
/** gRPC status codes of a Temporal frontend that does not answer: UNAVAILABLE, DEADLINE_EXCEEDED. */
const temporalUnavailable = new Set([14, 4]);

function* causes(err: unknown): Generator<Record<string, unknown>> {
  let current = err;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

export function storeRefusal(err: unknown): ApiError | undefined {
  for (const e of causes(err)) {
    const code = e.code;
    const name = String(e.name ?? '');
    const message = String(e.message ?? '');
    if (typeof code === 'number' && temporalUnavailable.has(code) && 'details' in e)
      return new ApiError(503, 'unavailable', 'Temporal cannot be reached; retry later');
    if (name === 'ConnectionError' || name === 'TransportError')
      return new ApiError(503, 'unavailable', 'Temporal cannot be reached; retry later');
    if (typeof code !== 'string') {
      if (/PGlite is closed/i.test(message))
        return new ApiError(503, 'unavailable', 'The database cannot be reached; retry later');
      continue;
    }
    if (unreachableCodes.has(code) || unreachableSqlStates.some((r) => r.test(code)))
      return new ApiError(503, 'unavailable', 'The database cannot be reached; retry later');
    // Class 22, data exception: a value the schemas let through (text encoding, a number out of range).
    if (/^22/.test(code) && 'severity' in e)
      return new ApiError(400, 'validation_failed', `The database refused a value: ${message}`, [
        { field: 'body', rule: 'database_value', message },
      ]);
    if (code === '23505' && 'severity' in e)
      return new ApiError(409, 'invalid_state', `Already exists: ${String(e.detail ?? message)}`);
  }
  return undefined;
}
