/**
 * The proposal document of a quote version (000's proposal, 002's "summary document [that] requires legal
 * signature"): one model, rendered as HTML and as PDF. Everything in it is fixed once the version exists
 * (the document's date is the version's), so the same version always renders the same bytes and the
 * SHA-256 recorded at signature names exactly what was signed.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import {
  accounts,
  quoteGroups,
  quoteItems,
  quoteMembers,
  quotes,
  quoteVersions,
  salesAgreements,
  type QuoteChange,
} from '../../db/schema';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { day, money, renderProposalPdf, termOf } from './proposal-pdf';

export interface ProposalLine {
  lineNo: number;
  offeringCode: string;
  offering: string;
  /** Where the line applies: the account, a site or subscriber, or a group (bought once per member). */
  appliesTo: string;
  quantity: number;
  /** How many times the line is bought: the group's size for a group, else 1. */
  times: number;
  recurringListPrice: number;
  oneOffListPrice: number;
  discountPct: number;
  priceOverride: number | null;
  recurringNet: number;
  oneOffNet: number;
}

export interface Proposal {
  quoteId: string;
  version: number;
  /** The version's own date: the document never changes once the version exists. */
  issuedAt: string;
  validUntil: string | null;
  currency: string;
  catalogVersion: string;
  customer: { id: string; name: string; billingAddress?: string };
  agreement: { id: string; name: string; startsOn: string | null; endsOn: string | null } | null;
  sites: { ref: string; kind: string; name: string; address: string | null; groups: string[] }[];
  groups: { ref: string; name: string; members: number }[];
  lines: ProposalLine[];
  totals: { recurring: number; oneOff: number };
  slas: { metric: string; target: number; unit: string }[];
  /** A change quote's change to its running order, with the difference to what was signed; else null. */
  change: QuoteChange | null;
}

export async function proposalOf(deps: AppDeps, quoteId: string, version: number): Promise<Proposal> {
  const { db } = deps.database;
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, quoteId) });
  if (!quote) throw notFound('Quote', quoteId);
  const of = (t: typeof quoteMembers | typeof quoteGroups | typeof quoteItems | typeof quoteVersions) =>
    and(eq(t.quoteId, quoteId), eq(t.version, version));
  const [v] = await db.select().from(quoteVersions).where(of(quoteVersions));
  if (!v) throw notFound('Quote version', `${quoteId} v${version}`);
  const members = await db.select().from(quoteMembers).where(of(quoteMembers)).orderBy(quoteMembers.ref);
  const groups = await db.select().from(quoteGroups).where(of(quoteGroups)).orderBy(quoteGroups.ref);
  const items = await db.select().from(quoteItems).where(of(quoteItems)).orderBy(quoteItems.lineNo);
  const account = await db.query.accounts.findFirst({ where: eq(accounts.id, quote.accountId) });
  const agreement = quote.agreementId
    ? await db.query.salesAgreements.findFirst({ where: eq(salesAgreements.id, quote.agreementId) })
    : undefined;
  const catalog = await deps.catalogs.get(v.catalogVersion);
  const offeringName = (code: string) => catalog.offerings.find((o) => o.code === code)?.name ?? code;
  const memberName = new Map(members.map((m) => [m.ref, m.name]));
  const group = new Map(groups.map((g) => [g.ref, g]));
  const billing = account?.billingProfile as { billingAddress?: string } | null | undefined;

  return {
    quoteId,
    version,
    issuedAt: v.createdAt,
    validUntil: quote.validUntil,
    currency: v.currency,
    catalogVersion: v.catalogVersion,
    customer: {
      id: quote.accountId,
      name: account?.name ?? quote.accountId,
      ...(billing?.billingAddress ? { billingAddress: billing.billingAddress } : {}),
    },
    agreement: agreement
      ? { id: agreement.id, name: agreement.name, startsOn: agreement.startsOn, endsOn: agreement.endsOn }
      : null,
    sites: members.map((m) => ({
      ref: m.ref,
      kind: m.kind,
      name: m.name,
      address: m.address,
      groups: groups.filter((g) => g.memberRefs.includes(m.ref)).map((g) => g.ref),
    })),
    groups: groups.map((g) => ({ ref: g.ref, name: g.name, members: g.memberRefs.length })),
    lines: items.map((i) => ({
      lineNo: i.lineNo,
      offeringCode: i.offeringCode,
      offering: offeringName(i.offeringCode),
      appliesTo:
        i.appliesToKind === 'account'
          ? 'the account'
          : i.appliesToKind === 'member'
            ? `${memberName.get(i.appliesToRef!) ?? i.appliesToRef} (${i.appliesToRef})`
            : `group ${group.get(i.appliesToRef!)?.name ?? i.appliesToRef} (${group.get(i.appliesToRef!)?.memberRefs.length ?? 0} members)`,
      quantity: i.quantity,
      times: i.appliesToKind === 'group' ? (group.get(i.appliesToRef!)?.memberRefs.length ?? 1) : 1,
      recurringListPrice: i.recurringListPrice,
      oneOffListPrice: i.oneOffListPrice,
      discountPct: i.discountPct,
      priceOverride: i.priceOverride,
      recurringNet: i.recurringNet,
      oneOffNet: i.oneOffNet,
    })),
    totals: { recurring: v.recurringTotal, oneOff: v.oneOffTotal },
    slas: v.slas,
    change: v.change ?? null,
  };
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The proposal as a standalone HTML page (print it, or read it before signing the PDF). */
export function proposalHtml(p: Proposal): string {
  const m = (n: number) => escape(money(n, p.currency));
  const rows = (cells: (string | number)[][]) =>
    cells.map((r) => `<tr>${r.map((c) => `<td>${escape(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Proposal ${escape(p.quoteId)} v${p.version}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px;text-align:left}td:nth-child(n+5){text-align:right}</style>
</head><body>
<h1>Proposal ${escape(p.quoteId)}, version ${p.version}</h1>
<p>Customer: <strong>${escape(p.customer.name)}</strong> (${escape(p.customer.id)})${p.customer.billingAddress ? `, ${escape(p.customer.billingAddress)}` : ''}</p>
<p>Issued ${day(p.issuedAt)}; valid until ${day(p.validUntil)}. Prices from catalog ${escape(p.catalogVersion)}, in ${escape(p.currency)}.${p.agreement ? ` Term: ${escape(termOf(p.agreement))}.` : ''}</p>
<h2>Sites and subscribers (${p.sites.length})</h2>
<table><tr><th>Ref</th><th>Kind</th><th>Name</th><th>Address</th><th>Groups</th></tr>
${rows(p.sites.map((s) => [s.ref, s.kind, s.name, s.address ?? '', s.groups.join(', ')]))}
</table>
<h2>Groups (${p.groups.length})</h2>
<table><tr><th>Ref</th><th>Name</th><th>Members</th></tr>
${rows(p.groups.map((g) => [g.ref, g.name, g.members]))}
</table>
<h2>Lines</h2>
<table><tr><th>#</th><th>Offering</th><th>Applies to</th><th>Qty</th><th>List recurring</th><th>List one-off</th><th>Discount</th><th>Net recurring</th><th>Net one-off</th></tr>
${rows(
  p.lines.map((l) => [
    l.lineNo,
    `${l.offering} (${l.offeringCode})`,
    l.appliesTo,
    l.times > 1 ? `${l.quantity} × ${l.times}` : l.quantity,
    m(l.recurringListPrice),
    m(l.oneOffListPrice),
    l.priceOverride !== null ? `override ${m(l.priceOverride)}` : `${l.discountPct}%`,
    m(l.recurringNet),
    m(l.oneOffNet),
  ]),
)}
</table>
<h2>Totals</h2>
<p>Recurring (monthly): <strong>${m(p.totals.recurring)}</strong>; one-off: <strong>${m(p.totals.oneOff)}</strong></p>
${p.change ? changeHtml(p.change, m) : ''}<h2>Service levels</h2>
<ul>${p.slas.map((s) => `<li>${escape(s.metric)}: ${s.target} ${escape(s.unit)}</li>`).join('')}</ul>
<h2>Signature</h2>
<p>Signed for ${escape(p.customer.name)}, accepting proposal ${escape(p.quoteId)} version ${p.version} as shown in the PDF of this version, whose SHA-256 is recorded with the signature.</p>
<p>Name: ______________________ Title: ______________________ Date: ____________ Signature: ______________________</p>
</body></html>
`;
}

function changeHtml(c: QuoteChange, m: (n: number) => string): string {
  const removed = c.removed
    .map(
      (r) =>
        `<li>Removed ${escape(r.orderItemId)} ${escape(r.offeringCode)}: recurring ${m(-r.recurringNet)}, one-off ${m(-r.oneOffNet)}</li>`,
    )
    .join('');
  return `<h2>Change to order ${escape(c.orderId)} (amendment ${escape(c.amendmentId)})</h2>
<p>Signed so far: recurring ${m(c.signed.recurring)}, one-off ${m(c.signed.oneOff)}.</p>
<ul>${removed}</ul>
<p>Difference: recurring <strong>${m(c.difference.recurring)}</strong>, one-off <strong>${m(c.difference.oneOff)}</strong>.</p>
`;
}

/** The PDF of a version and its SHA-256: what the customer signs, and how the contract names it. */
export async function proposalDocument(deps: AppDeps, quoteId: string, version: number) {
  const pdf = await renderProposalPdf(await proposalOf(deps, quoteId, version));
  return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') };
}

export async function proposalPage(deps: AppDeps, quoteId: string, version: number) {
  return proposalHtml(await proposalOf(deps, quoteId, version));
}
