/** The proposal as a PDF, laid out with pdfkit. Fixed dates in, same bytes out. */
import PDFDocument from 'pdfkit';
import type { Proposal } from './proposal';

export const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;
export const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'n/a');
export const termOf = (a: NonNullable<Proposal['agreement']>) =>
  `sales agreement ${a.name} (${a.id}), from ${a.startsOn ?? 'signature'} to ${a.endsOn ?? 'no set end'}`;

export function renderProposalPdf(p: Proposal): Promise<Buffer> {
  // The document's dates are the version's: pdfkit derives the file ID from them, so a render is repeatable.
  const issued = new Date(p.issuedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Proposal ${p.quoteId} v${p.version}`,
      Author: 'Telecom order orchestration',
      Subject: `Proposal for ${p.customer.name}`,
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const m = (n: number) => money(n, p.currency);
  const left = doc.page.margins.left;
  const heading = (text: string) =>
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text, left).font('Helvetica').fontSize(9);
  /** One table row at fixed column positions, on a new page when the page is full. */
  const row = (cells: string[], widths: number[], bold = false) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 24) doc.addPage();
    const y = doc.y;
    let x = left;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    let bottom = y;
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, { width: widths[i] - 4 });
      bottom = Math.max(bottom, doc.y);
      x += widths[i];
    });
    doc.x = left;
    doc.y = bottom + 2;
  };

  doc.font('Helvetica-Bold').fontSize(18).text(`Proposal ${p.quoteId}, version ${p.version}`);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`Customer: ${p.customer.name} (${p.customer.id})`);
  if (p.customer.billingAddress) doc.text(`Billing address: ${p.customer.billingAddress}`);
  doc.text(`Issued: ${day(p.issuedAt)}    Valid until: ${day(p.validUntil)}`);
  doc.text(`Prices from catalog ${p.catalogVersion}, in ${p.currency}.`);
  doc.text(p.agreement ? `Term: ${termOf(p.agreement)}.` : 'Term: no frame agreement; standard terms.');

  heading(`Sites and subscribers (${p.sites.length})`);
  const siteCols = [70, 60, 140, 170, 55];
  row(['Ref', 'Kind', 'Name', 'Address', 'Groups'], siteCols, true);
  for (const s of p.sites) row([s.ref, s.kind, s.name, s.address ?? '', s.groups.join(', ')], siteCols);

  heading(`Groups (${p.groups.length})`);
  const groupCols = [120, 250, 125];
  row(['Ref', 'Name', 'Members'], groupCols, true);
  for (const g of p.groups) row([g.ref, g.name, String(g.members)], groupCols);

  heading('Lines');
  const lineCols = [15, 95, 85, 30, 55, 55, 40, 60, 60];
  row(
    [
      '#',
      'Offering',
      'Applies to',
      'Qty',
      'List recurring',
      'List one-off',
      'Discount',
      'Net recurring',
      'Net one-off',
    ],
    lineCols,
    true,
  );
  for (const l of p.lines)
    row(
      [
        String(l.lineNo),
        `${l.offering} (${l.offeringCode})`,
        l.appliesTo,
        l.times > 1 ? `${l.quantity} x ${l.times}` : String(l.quantity),
        m(l.recurringListPrice),
        m(l.oneOffListPrice),
        l.priceOverride !== null ? `override ${m(l.priceOverride)}` : `${l.discountPct}%`,
        m(l.recurringNet),
        m(l.oneOffNet),
      ],
      lineCols,
    );

  heading('Totals');
  doc
    .fontSize(10)
    .text(`Recurring (monthly): ${m(p.totals.recurring)}`)
    .text(`One-off: ${m(p.totals.oneOff)}`);

  if (p.change) {
    const c = p.change;
    heading(`Change to order ${c.orderId} (amendment ${c.amendmentId})`);
    doc
      .fontSize(10)
      .text(`Signed so far: recurring ${m(c.signed.recurring)}, one-off ${m(c.signed.oneOff)}.`);
    for (const r of c.removed)
      doc.text(
        `Removed: ${r.orderItemId} ${r.offeringCode}, recurring ${m(-r.recurringNet)}, one-off ${m(-r.oneOffNet)}`,
      );
    doc.text(`Difference: recurring ${m(c.difference.recurring)}, one-off ${m(c.difference.oneOff)}.`);
  }

  heading('Service levels');
  for (const s of p.slas) doc.fontSize(10).text(`${s.metric}: ${s.target} ${s.unit}`);

  heading('Signature');
  doc
    .fontSize(10)
    .text(
      `Signed for ${p.customer.name}, accepting proposal ${p.quoteId} version ${p.version} as set out in this document, whose SHA-256 is recorded with the signature.`,
    )
    .moveDown(2)
    .text('Name: ____________________________    Title: ____________________________')
    .moveDown(1.5)
    .text('Date: ____________________________    Signature: ________________________');
  doc.end();
  return done;
}
