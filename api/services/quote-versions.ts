/** How a quote version is stored: priced from the catalog, with its members, groups and items. */
import type { Catalog } from '../../catalog/schema';
import type { Tx } from '../../db/client';
import { auditEvents, quoteGroups, quoteItems, quoteMembers, quoteVersions } from '../../db/schema';
import { recordTmfEvents } from '../../db/tmf-outbox';
import { priceLine, totalsOf } from '../../domain/pricing';
import type { CreateQuoteBody } from '../schemas/quotes';
import type { Agreement } from './quote-rules';
import type { Actor } from '../../domain/roles';
import { batches } from '../../db/batches';

export type QuoteContent = Pick<CreateQuoteBody, 'members' | 'groups' | 'items'>;

/** Prices a version from the catalog and writes it with its members, groups and items. */
export async function writeVersion(
  tx: Tx,
  catalog: Catalog,
  quoteId: string,
  version: number,
  content: QuoteContent,
  agreement: Agreement | undefined,
  author: Actor,
) {
  const groupSize = (ref: string) => content.groups.find((g) => g.ref === ref)?.memberRefs.length ?? 1;
  // An offer on a group is bought once per member of the group.
  // A line that names no discount gets the agreement's negotiated one (at most its cap, checked when made).
  const lines = content.items.map(({ discountPct, ...line }) => {
    const item = { ...line, discountPct: discountPct ?? agreement?.defaultDiscountPct ?? 0 };
    const price = priceLine(catalog, { ...item, priceOverride: item.priceOverride ?? null });
    const times = item.appliesTo && 'group' in item.appliesTo ? groupSize(item.appliesTo.group) : 1;
    return {
      item,
      price: { ...price, recurringNet: price.recurringNet * times, oneOffNet: price.oneOffNet * times },
    };
  });
  await tx.insert(quoteVersions).values({
    quoteId,
    version,
    state: 'inProgress',
    currency: catalog.currency,
    catalogVersion: catalog.version,
    agreementMaxDiscountPct: agreement?.maxDiscountPct ?? null,
    slas: agreement?.slas ?? catalog.standardSlas,
    createdBy: author.subject,
    ...totalsOf(lines.map((l) => l.price)),
  });
  for (const batch of batches(content.members))
    await tx.insert(quoteMembers).values(
      batch.map((m) => ({
        quoteId,
        version,
        ref: m.ref,
        kind: m.kind,
        name: m.name,
        address: m.address ?? null,
      })),
    );
  for (const batch of batches(content.groups))
    await tx
      .insert(quoteGroups)
      .values(batch.map((g) => ({ quoteId, version, ref: g.ref, name: g.name, memberRefs: g.memberRefs })));
  // A change quote that only removes items has no line of its own.
  const rows = lines.map(({ item, price }, i) => ({
    quoteId,
    version,
    lineNo: i + 1,
    offeringCode: item.offeringCode,
    quantity: item.quantity,
    discountPct: item.discountPct,
    priceOverride: item.priceOverride ?? null,
    appliesToKind: !item.appliesTo
      ? ('account' as const)
      : 'member' in item.appliesTo
        ? ('member' as const)
        : ('group' as const),
    appliesToRef: !item.appliesTo
      ? null
      : 'member' in item.appliesTo
        ? item.appliesTo.member
        : item.appliesTo.group,
    recurringListPrice: price.recurringListPrice,
    oneOffListPrice: price.oneOffListPrice,
    recurringNet: price.recurringNet,
    oneOffNet: price.oneOffNet,
  }));
  for (const batch of batches(rows)) await tx.insert(quoteItems).values(batch);
}

/** A new quote's audit event and TMF648 `QuoteCreateEvent`, in the transaction that makes it. */
export async function recordQuoteCreated(
  tx: Tx,
  quoteId: string,
  who: Actor,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.insert(auditEvents).values({
    eventKey: `quote:${quoteId}:created`,
    entityType: 'quote',
    entityId: quoteId,
    toState: 'inProgress',
    actor: who.subject,
    actorRole: who.role,
    details: { version: 1, ...details },
  });
  await recordTmfEvents(tx, [
    { eventType: 'QuoteCreateEvent', orderId: quoteId, resourceId: quoteId, state: 'inProgress' },
  ]);
}
