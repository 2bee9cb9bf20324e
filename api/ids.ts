import { createHash, randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

type Prefix = 'ACC' | 'SA' | 'Q' | 'ORD' | 'LEAD' | 'OPP' | 'AGR' | 'CAN' | 'HUB';

const spell = (prefix: Prefix, bytes: Uint8Array) =>
  `${prefix}-${[...bytes].map((b) => alphabet[b % 32]).join('')}`;

/** A short, readable, random ID with a prefix that says what it names: `ORD-7K3M9Q2X`. */
export function newId(prefix: Prefix): string {
  return spell(prefix, randomBytes(10));
}

/**
 * The same kind of ID, derived from what makes the thing unique (a quote has one order): every attempt to
 * make it names the same thing, and so the same workflow.
 */
export function derivedId(prefix: Prefix, seed: string): string {
  return spell(prefix, createHash('sha256').update(`${prefix}:${seed}`).digest().subarray(0, 10));
}
