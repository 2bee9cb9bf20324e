/**
 * Commercial changes to a running order (002, 000: "commercial modifications require reopening the quote").
 * An amendment that changes what the customer pays is prepared as a change quote: a quote of the order's
 * account, under the original quote's agreement, pricing the sites and items added and showing the
 * difference to what was signed. It is submitted, approved by the same policy and four-eyes rule, and
 * signed like any quote; the signature records the change on the sales contract and only then applies the
 * amendment to the order, its new items at the change quote's prices.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { orderAmendments, quoteItems, quotes, quoteVersions, type QuoteChange } from '../../db/schema';
import type { Actor } from '../../domain/roles';
import type { AppDeps } from '../deps';
import { ApiError, invalidState } from '../errors';
import { newId } from '../ids';
import type { AmendmentBody } from '../schemas/orders';
import { checkAmendment, nextAmendmentId, writeAmendment, type CheckedAmendment } from './amendment-records';
import { applyAmendment, unsignable } from './amendments';
import { termsProblems } from './quote-rules';
import { recordQuoteCreated, writeVersion, type QuoteContent } from './quote-versions';
import { getQuote } from './quotes';

const round2 = (n: number) => Math.round(n * 100) / 100;
const sum = (xs: number[]) => round2(xs.reduce((a, b) => a + b, 0));

/**
 * Records a commercial change as an amendment `quoted` and its change quote (version 1, `inProgress`), in
 * one transaction; the order is untouched until the change quote is signed. One change waits for its
 * signature at a time: a second is refused (409) while the first's change quote is still open.
 */
export async function prepareChangeQuote(
  deps: AppDeps,
  checked: CheckedAmendment,
  body: AmendmentBody,
  who: Actor,
) {
  const { db } = deps.database;
  const { order, items } = checked;
  const waiting = await openChangeOf(deps, order.id);
  if (waiting)
    throw invalidState(
      `Order ${order.id} already has a commercial change waiting for signature: amendment ${waiting.id}, change quote ${waiting.changeQuoteId}`,
      [{ field: 'add', rule: 'one_open_change', message: `change quote ${waiting.changeQuoteId} is open` }],
    );
  const original = await db.query.quotes.findFirst({ where: eq(quotes.id, order.quoteId) });
  // The original quote's agreement prices the change while it is in force; past its term, list prices.
  const terms = await termsProblems(deps, {
    accountId: order.accountId,
    opportunityId: null,
    agreementId: original?.agreementId ?? null,
  });
  const agreement = terms.problems.length === 0 ? terms.agreement : undefined;

  const members = [...new Map(body.add.map((a) => [a.site.ref, a.site])).values()];
  const content: QuoteContent = {
    members: members.map((m) => ({ ref: m.ref, kind: m.kind, name: m.name, address: m.address })),
    groups: [],
    items: body.add.map((a) => ({
      offeringCode: a.offeringCode,
      quantity: a.quantity,
      discountPct: a.discountPct,
      appliesTo: { member: a.site.ref },
    })),
  };
  const removed = body.remove.map(({ orderItemId }) => {
    const item = items.find((i) => i.id === orderItemId)!;
    return {
      orderItemId,
      offeringCode: item.offeringCode,
      recurringNet: item.recurringNet,
      oneOffNet: item.oneOffNet,
    };
  });
  const active = items.filter((i) => i.status === 'active');
  const quoteId = newId('Q');
  const validitySeconds = deps.quoteValiditySeconds ?? 30 * 86_400;
  const amendmentId = await db.transaction(async (tx) => {
    const { sequence, amendmentId } = await nextAmendmentId(tx, order.id);
    await tx.insert(quotes).values({
      id: quoteId,
      accountId: order.accountId,
      agreementId: agreement?.id ?? null,
      changeOfOrderId: order.id,
      state: 'inProgress',
      currentVersion: 1,
      validUntil: new Date(Date.now() + validitySeconds * 1000).toISOString(),
    });
    await writeVersion(tx, deps.catalogs.current, quoteId, 1, content, agreement, who);
    const [version] = await tx
      .select()
      .from(quoteVersions)
      .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, 1)));
    const change: QuoteChange = {
      orderId: order.id,
      amendmentId,
      signed: {
        recurring: sum(active.map((i) => i.recurringNet)),
        oneOff: sum(active.map((i) => i.oneOffNet)),
      },
      removed,
      difference: {
        recurring: round2(version.recurringTotal - sum(removed.map((r) => r.recurringNet))),
        oneOff: round2(version.oneOffTotal - sum(removed.map((r) => r.oneOffNet))),
      },
    };
    await tx
      .update(quoteVersions)
      .set({ change })
      .where(and(eq(quoteVersions.quoteId, quoteId), eq(quoteVersions.version, 1)));
    await tx.insert(orderAmendments).values({
      id: amendmentId,
      orderId: order.id,
      sequence,
      state: 'quoted',
      changeQuoteId: quoteId,
      changes: body,
      before: [],
    });
    await recordQuoteCreated(tx, quoteId, who, {
      changeOf: order.id,
      amendmentId,
      difference: change.difference,
    });
    return amendmentId;
  });
  const [amendment] = await db.select().from(orderAmendments).where(eq(orderAmendments.id, amendmentId));
  const quote = await getQuote(deps, quoteId);
  return {
    ...amendment,
    effects: null,
    changeQuote: {
      id: quoteId,
      version: 1,
      state: quote.state,
      recurringTotal: quote.versions[0].recurringTotal,
      oneOffTotal: quote.versions[0].oneOffTotal,
      difference: quote.versions[0].change!.difference,
    },
  };
}

/** The order's commercial change still waiting for a signature, if any. */
async function openChangeOf({ database: { db } }: AppDeps, orderId: string) {
  const quoted = await db
    .select()
    .from(orderAmendments)
    .where(and(eq(orderAmendments.orderId, orderId), eq(orderAmendments.state, 'quoted')));
  if (quoted.length === 0) return undefined;
  const versions = await db
    .select()
    .from(quoteVersions)
    .where(
      and(
        inArray(
          quoteVersions.quoteId,
          quoted.map((a) => a.changeQuoteId!),
        ),
        eq(quoteVersions.version, 1),
      ),
    );
  const open = new Set(versions.filter((v) => !unsignable.includes(v.state)).map((v) => v.quoteId));
  return quoted.find((a) => open.has(a.changeQuoteId!));
}

/** The amendment a change quote prices. */
export async function amendmentOfChangeQuote({ database: { db } }: AppDeps, quoteId: string) {
  const [amendment] = await db
    .select()
    .from(orderAmendments)
    .where(eq(orderAmendments.changeQuoteId, quoteId));
  return amendment;
}

/**
 * Before the customer signs: the change must still apply to the order as it is now (in progress or held,
 * the items it removes still active, nothing past its point of no return), or the signature is refused.
 */
export async function checkChangeStillApplies(deps: AppDeps, quoteId: string) {
  const amendment = await amendmentOfChangeQuote(deps, quoteId);
  await checkAmendment(deps, amendment.orderId, amendment.changes as AmendmentBody);
}

/**
 * After the signature: applies the change quote's amendment to its order, once. Called again (a retry
 * after a crash between signature and application), it applies what is still `quoted` and otherwise
 * answers what was done. A change the order refuses now stays `refused`, with the reason.
 */
export async function applySignedChange(deps: AppDeps, quoteId: string) {
  const amendment = await amendmentOfChangeQuote(deps, quoteId);
  if (amendment.state !== 'quoted') return;
  const body = amendment.changes as AmendmentBody;
  let checked: CheckedAmendment;
  try {
    checked = await checkAmendment(deps, amendment.orderId, body);
  } catch (err) {
    if (!(err instanceof ApiError) || ![409, 422].includes(err.statusCode)) throw err;
    // Signed, but the order moved on in the moment since the check before signing: the change is refused
    // for good, with the reason, and the sales contract keeps what was signed.
    await deps.database.db
      .update(orderAmendments)
      .set({ state: 'refused', effects: { refusal: (err as Error).message } })
      .where(and(eq(orderAmendments.id, amendment.id), eq(orderAmendments.state, 'quoted')));
    throw err;
  }
  const lines = await deps.database.db
    .select()
    .from(quoteItems)
    .where(and(eq(quoteItems.quoteId, quoteId), eq(quoteItems.version, 1)));
  // Line k of the change quote prices the k-th site item added.
  const linePrices = body.add.map((_, i) => {
    const line = lines.find((l) => l.lineNo === i + 1)!;
    return { lineNo: line.lineNo, recurringNet: line.recurringNet, oneOffNet: line.oneOffNet };
  });
  await deps.database.db.transaction((tx) =>
    writeAmendment(tx, checked, body, { amendmentId: amendment.id, linePrices }),
  );
  await applyAmendment(deps, amendment.orderId, amendment.id, 'refuse');
}
