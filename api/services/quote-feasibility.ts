/**
 * Feasibility at quote time: before a version goes to approval, every location is checked with the
 * feasibility system for the offers applied to it (on the site or on a group it belongs to), once per
 * version (the checks are keyed by quote, version and site, so a second submission asks nothing again).
 */
import { and, eq } from 'drizzle-orm';
import { quoteFeasibility, quoteGroups, quoteItems, quoteMembers } from '../../db/schema';
import type { AppDeps } from '../deps';
import { ApiError, unprocessable } from '../errors';

/** At most this many checks in flight at once, so a 5,000-site quote does not flood the system. */
const inFlight = 16;

type Check = typeof quoteFeasibility.$inferSelect;

/** Checks every location of a version not yet checked, and returns every site's result. */
export async function checkFeasibility(
  deps: AppDeps,
  quote: { id: string; accountId: string },
  version: number,
): Promise<Check[]> {
  const { db } = deps.database;
  const of = (t: typeof quoteMembers | typeof quoteGroups | typeof quoteItems | typeof quoteFeasibility) =>
    and(eq(t.quoteId, quote.id), eq(t.version, version));
  const members = await db.select().from(quoteMembers).where(of(quoteMembers));
  const groups = await db.select().from(quoteGroups).where(of(quoteGroups));
  const items = await db.select().from(quoteItems).where(of(quoteItems));
  const done = new Set(
    (await db.select().from(quoteFeasibility).where(of(quoteFeasibility))).map((c) => c.memberRef),
  );
  const sites = members
    .filter((m) => m.kind === 'location')
    .map((site) => {
      const inGroups = groups.filter((g) => g.memberRefs.includes(site.ref)).map((g) => g.ref);
      const offerings = items
        .filter(
          (i) =>
            (i.appliesToKind === 'member' && i.appliesToRef === site.ref) ||
            (i.appliesToKind === 'group' && inGroups.includes(i.appliesToRef!)),
        )
        .map((i) => i.offeringCode);
      return { site, offerings: [...new Set(offerings)] };
    })
    .filter(({ site, offerings }) => offerings.length > 0 && !done.has(site.ref));

  const check = async ({ site, offerings }: (typeof sites)[number]) => {
    const answer = await deps.simulator
      .feasibility(
        { accountId: quote.accountId, siteName: site.name, address: site.address, offerings },
        `quote:${quote.id}:v${version}:feasibility:${site.ref}`,
      )
      .catch((err: unknown) => {
        throw new ApiError(
          503,
          'unavailable',
          `The feasibility system did not answer: ${(err as Error).message}`,
        );
      });
    await db
      .insert(quoteFeasibility)
      .values({
        quoteId: quote.id,
        version,
        memberRef: site.ref,
        siteName: site.name,
        offerings,
        feasible: !answer.refused,
        reason: answer.refused ?? null,
        reference: answer.reference,
      })
      .onConflictDoNothing();
  };
  for (let i = 0; i < sites.length; i += inFlight) await Promise.all(sites.slice(i, i + inFlight).map(check));
  return db.select().from(quoteFeasibility).where(of(quoteFeasibility)).orderBy(quoteFeasibility.memberRef);
}

/** 422 naming each site the feasibility system cannot serve, its offers and the reason. */
export function refuseInfeasible(quoteId: string, version: number, checks: Check[]) {
  const refused = checks.filter((c) => !c.feasible);
  if (refused.length === 0) return;
  throw unprocessable(
    `Quote ${quoteId} v${version} has ${refused.length} site${refused.length === 1 ? '' : 's'} that cannot be served: remove the offers there, or the site, and submit the next version`,
    refused.map((c) => ({
      field: `members.${c.memberRef}`,
      rule: 'feasible',
      message: `site "${c.siteName}" (${c.memberRef}) cannot be served with ${c.offerings.join(', ')}: ${c.reason}`,
    })),
  );
}
