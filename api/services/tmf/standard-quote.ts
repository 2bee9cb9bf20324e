/**
 * A standard order (TMF622 `productOrderItem[]` without a quote) keeps the one lifecycle: its items become
 * a quote at catalog prices (no discount, so the pricing policy approves it at once), accepted on the
 * ordering client's word, then captured like any accepted quote.
 */
import { eq } from 'drizzle-orm';
import { accounts } from '../../../db/schema';
import type { Actor } from '../../../domain/roles';
import type { AppDeps } from '../../deps';
import { unprocessable, type ErrorDetail } from '../../errors';
import type { CreateQuoteBody } from '../../schemas/quotes';
import type { CreateProductOrderBody, PlaceInput, ProductOrderItemInput } from '../../schemas/tmf';
import { acceptQuote, submitQuote } from '../quote-approval';
import { createQuote } from '../quotes';

type Member = CreateQuoteBody['members'][number];

/** Makes, submits and accepts the quote of a standard order; answers its ID, or 422 with every problem. */
export async function standardQuote(
  deps: AppDeps,
  body: CreateProductOrderBody,
  customer: { id: string } | undefined,
  who: Actor,
): Promise<string> {
  const { members, items, problems } = quoteContent(deps, body.productOrderItem ?? []);
  problems.unshift(...(await customerProblems(deps, customer?.id)));
  if (problems.length > 0) throw unprocessable('The product order cannot be created', problems);

  const quote = await createQuote(deps, { accountId: customer!.id, members, groups: [], items }, who);
  const submitted = await submitQuote(deps, quote.id);
  if (submitted.state !== 'approved')
    throw unprocessable('The product order cannot be created', [
      {
        field: 'productOrderItem',
        rule: 'standard_prices',
        message: `quote ${quote.id} needs approval (${submitted.state}): negotiate it, then order from the quote`,
      },
    ]);
  await acceptQuote(deps, quote.id, { signedBy: who.subject }, who);
  return quote.id;
}

/** The quote's members (one per site or subscriber, by `id`) and lines, and what is wrong with the items. */
function quoteContent(deps: AppDeps, input: ProductOrderItemInput[]) {
  const offerings = new Map(deps.catalogs.current.offerings.map((o) => [o.code, o]));
  const problems: ErrorDetail[] = [];
  const members = new Map<string, Member>();
  const items: CreateQuoteBody['items'] = [];
  for (const [i, item] of input.entries()) {
    const at = `productOrderItem.${i}`;
    const problem = (field: string, rule: string, message: string) =>
      problems.push({ field: `${at}${field}`, rule, message });
    if (item.action !== 'add') {
      problem('.action', 'add_only', `a new order only adds (action ${item.action}); change an order by amendment`);
      continue;
    }
    const code = item.productOffering?.id;
    const offering = code ? offerings.get(code) : undefined;
    if (!offering) {
      problem('.productOffering.id', 'in_catalog', code ? `offering ${code} is not in the catalog` : 'names no offering');
      continue;
    }
    const characteristics = item.product?.productCharacteristic;
    if (characteristics?.length)
      problem('.product.productCharacteristic', 'standard', 'a standard order takes the offering as the catalog has it');
    const kind = offering.memberKinds[0];
    let ref: string | undefined;
    if (kind !== 'account') {
      const where =
        kind === 'subscriber' ? item.product?.relatedParty?.[0] : item.product?.place?.[0];
      const key = where?.id ?? where?.name;
      if (!where || !key) {
        const field = kind === 'subscriber' ? '.product.relatedParty' : '.product.place';
        problem(field, 'site', `offering ${offering.code} needs a ${kind === 'subscriber' ? 'subscriber' : 'site'} with an id or a name`);
        continue;
      }
      const address = kind === 'location' ? addressOf(where as PlaceInput) : undefined;
      ref = memberRef(members, { kind, name: where.name ?? key, ...(address ? { address } : {}) }, key);
    }
    items.push({
      offeringCode: offering.code,
      quantity: item.quantity ?? 1,
      discountPct: 0,
      ...(ref ? { appliesTo: { member: ref } } : {}),
    });
  }
  return { members: [...members.values()], items, problems };
}

/** One quote member per distinct site or subscriber; its ref is the caller's `id` when it fits one. */
function memberRef(members: Map<string, Member>, member: Omit<Member, 'ref'>, key: string) {
  const { kind } = member;
  const existing = members.get(`${kind}:${key}`);
  if (existing) return existing.ref;
  const taken = new Set([...members.values()].map((m) => m.ref));
  let ref = /^[\w.-]{1,50}$/.test(key) && !taken.has(key) ? key : '';
  for (let n = members.size + 1; !ref || taken.has(ref); n++) ref = `${kind === 'location' ? 'site' : 'sub'}-${n}`;
  members.set(`${kind}:${key}`, { ...member, ref, name: member.name.slice(0, 200) });
  return ref;
}

/** A site's address: its GeographicAddress fields, or else its name (a survey needs one or the other). */
function addressOf(place: PlaceInput): string | undefined {
  const street = [place.streetName, place.streetNr].filter(Boolean).join(' ');
  const town = [place.postcode, place.city].filter(Boolean).join(' ');
  const address = [street, town, place.country].filter(Boolean).join(', ');
  return (address || place.name)?.slice(0, 500);
}

async function customerProblems(deps: AppDeps, customerId: string | undefined): Promise<ErrorDetail[]> {
  if (!customerId)
    return [
      {
        field: 'relatedParty',
        rule: 'customer',
        message: 'an order without a quote names its customer: relatedParty [{ id, role: "customer" }]',
      },
    ];
  const account = await deps.database.db.query.accounts.findFirst({ where: eq(accounts.id, customerId) });
  if (!account || account.kind !== 'business')
    return [{ field: 'relatedParty', rule: 'exists', message: `customer account ${customerId} does not exist` }];
  if (!account.billingProfile)
    return [
      {
        field: 'relatedParty',
        rule: 'billing_profile',
        message: `account ${customerId} has no billing profile`,
      },
    ];
  return [];
}
