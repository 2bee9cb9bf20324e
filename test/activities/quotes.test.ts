import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities, type Activities } from '../../activities';
import { openDatabase, type Database, type Db } from '../../db/client';
import { quoteItems, quotes, quoteVersions, salesContracts, serviceContracts } from '../../db/schema';
import { activityDeps } from '../activity-deps';
import { auditOf, seedOrder } from './seed';

let database: Database;
let db: Db;
let activities: Activities;
beforeAll(async () => {
  database = await openDatabase(inject('databaseUrl'));
  db = database.db;
  activities = createActivities(activityDeps(db));
});
afterAll(async () => {
  await database?.close();
});

/** A submitted two-site quote, each site with a broadband line. */
async function twoSiteQuote() {
  const { quoteId, accountId } = await seedOrder(
    db,
    [
      { ref: 'ham', name: 'Hamburg HQ', offeringCode: 'BUSINESS_BROADBAND' },
      { ref: 'kie', name: 'Kiel depot', offeringCode: 'BUSINESS_BROADBAND' },
    ],
    { quoteState: 'inProgress' },
  );
  await db.insert(quoteItems).values(
    ['ham', 'kie'].map((ref, i) => ({
      quoteId,
      version: 1,
      lineNo: i + 1,
      offeringCode: 'BUSINESS_BROADBAND',
      quantity: 1,
      discountPct: 20,
      appliesToKind: 'member' as const,
      appliesToRef: ref,
      recurringListPrice: 59,
      oneOffListPrice: 99,
      recurringNet: 47.2,
      oneOffNet: 79.2,
    })),
  );
  return { quoteId, accountId };
}

describe('quote activities against the database alone', () => {
  it('records the approval once, signs once with a contract per site, and signs nothing for a superseded version', async () => {
    const { quoteId, accountId } = await twoSiteQuote();
    await activities.recordQuoteSubmitted(quoteId, 1, ['salesManager']);
    await activities.recordQuoteSubmitted(quoteId, 1, ['salesManager']);
    const approve = { decision: 'approve' as const, role: 'salesManager' as const };
    await activities.recordQuoteDecision(quoteId, 1, approve, 'approved');
    await activities.recordQuoteDecision(quoteId, 1, approve, 'approved');

    const signed = await activities.acceptQuote(quoteId, 1, accountId, 'Jane Doe, CFO');
    expect(await activities.acceptQuote(quoteId, 1, accountId, 'Jane Doe, CFO')).toEqual(signed);
    expect(signed).toEqual({
      salesContractId: `SC-${quoteId}`,
      serviceContractIds: [`SC-${quoteId}-S001`, `SC-${quoteId}-S002`],
    });
    expect(await db.select().from(salesContracts).where(eq(salesContracts.quoteId, quoteId))).toHaveLength(1);
    const sites = await db.select().from(serviceContracts).where(eq(serviceContracts.quoteId, quoteId));
    expect(sites.map((s) => [s.memberRef, s.entitlements])).toEqual([
      ['ham', [{ offeringCode: 'BUSINESS_BROADBAND', quantity: 1 }]],
      ['kie', [{ offeringCode: 'BUSINESS_BROADBAND', quantity: 1 }]],
    ]);
    expect((await auditOf(db, quoteId)).map((e) => `${e.actor}:${e.toState}`)).toEqual([
      'engine:pending',
      'salesManager:approved',
      'Jane Doe, CFO:accepted',
    ]);
    const [version] = await db.select().from(quoteVersions).where(eq(quoteVersions.quoteId, quoteId));
    expect(version.state).toBe('accepted');

    // A newer version was made before the signature arrived: version 1 signs nothing.
    const other = await twoSiteQuote();
    await db.update(quotes).set({ currentVersion: 2 }).where(eq(quotes.id, other.quoteId));
    expect(await activities.acceptQuote(other.quoteId, 1, other.accountId, 'Jane Doe, CFO')).toBeNull();
    expect(await db.select().from(salesContracts).where(eq(salesContracts.quoteId, other.quoteId))).toEqual(
      [],
    );
    expect(await auditOf(db, other.quoteId)).toEqual([]);
  });
});
