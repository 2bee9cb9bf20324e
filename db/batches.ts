/**
 * Rows in batches small enough for one statement each, however large the quote or order: PostgreSQL's
 * wire protocol carries at most 65,535 parameters in a statement, and a multi-row insert spends one per
 * column per row (500 rows of up to 130 columns fit).
 */
export const BATCH_ROWS = 500;

export function batches<T>(rows: T[], size = BATCH_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
