import { and, eq } from 'drizzle-orm';
import { accounts, configurationItems, productInventory, serviceInventory } from '../../db/schema';
import type { AppDeps } from '../deps';
import { notFound, type ErrorDetail } from '../errors';
import { newId } from '../ids';
import type { CreateAccountBody } from '../schemas/accounts';

export async function createAccount({ database: { db } }: AppDeps, body: CreateAccountBody) {
  const [account] = await db
    .insert(accounts)
    .values({
      id: newId('ACC'),
      kind: 'business',
      name: body.name,
      billingProfile: body.billingProfile ?? null,
    })
    .returning();
  return { ...account, serviceAccounts: [] };
}

/** An account with its service accounts (one per site or subscriber ordered). */
export async function getAccount(deps: AppDeps, accountId: string) {
  const { db } = deps.database;
  const account = await accountOr404(deps, accountId);
  const serviceAccounts = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.parentId, account.id), eq(accounts.kind, 'service')));
  return { ...account, serviceAccounts };
}

/** Product inventory, service inventory and configuration items (CMDB) of an account. */
export async function accountInventory(deps: AppDeps, accountId: string) {
  const { db } = deps.database;
  const account = await accountOr404(deps, accountId);
  const products = await db.select().from(productInventory).where(eq(productInventory.accountId, account.id));
  const services = await db.select().from(serviceInventory).where(eq(serviceInventory.accountId, account.id));
  const items = await db
    .select()
    .from(configurationItems)
    .where(eq(configurationItems.customerAccountId, account.id));
  return {
    accountId: account.id,
    productInventory: products,
    serviceInventory: services,
    configurationItems: items,
  };
}

async function accountOr404({ database: { db } }: AppDeps, accountId: string) {
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, accountId) });
  if (!account) throw notFound('Account', accountId);
  return account;
}

/** The business account an `accountId` names, or the problem to report on field `accountId`. */
export async function businessAccount(
  { database: { db } }: AppDeps,
  accountId: string,
): Promise<{ account?: typeof accounts.$inferSelect; problem?: ErrorDetail }> {
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, accountId) });
  if (account?.kind === 'business') return { account };
  return {
    problem: { field: 'accountId', rule: 'exists', message: `business account ${accountId} does not exist` },
  };
}
