import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts } from '../../db/schema';
import type { ErrorDetail } from '../errors';

/** The business account an `accountId` names, or the problem to report on field `accountId`. */
export async function businessAccount(
  db: Db,
  accountId: string,
): Promise<{ account?: typeof accounts.$inferSelect; problem?: ErrorDetail }> {
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, accountId) });
  if (account?.kind === 'business') return { account };
  return {
    problem: { field: 'accountId', rule: 'exists', message: `business account ${accountId} does not exist` },
  };
}
