import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short, readable, random ID with a prefix that says what it names: `ORD-7K3M9Q2X`. */
export function newId(prefix: 'ACC' | 'SA' | 'Q' | 'ORD' | 'LEAD' | 'OPP' | 'AGR' | 'CAN' | 'HUB'): string {
  const bytes = randomBytes(10);
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return `${prefix}-${out}`;
}
