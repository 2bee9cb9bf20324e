import { createHash } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles } from '../../domain/roles';
import { startHarness, type Harness } from '../harness';
import { createAccount } from '../lifecycle';

let h: Harness;
let authorization: string;
beforeAll(async () => {
  h = await startHarness();
  authorization = `Bearer ${await h.token('tester', ...roles)}`;
});
afterAll(async () => {
  await h?.stop();
});

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { authorization } });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the proposal document the customer signs', () => {
  it('renders the customer, sites, groups, lines, totals, SLAs, validity and a signature block; acceptance records its hash', async () => {
    const accountId = await createAccount(h, 'Proposal Freight SE');
    const created = await h.http('POST', '/quotes', {
      accountId,
      members: [
        { ref: 'hq', kind: 'location', name: 'Hamburg HQ', address: 'Jungfernstieg 1' },
        { ref: 'depot', kind: 'location', name: 'Bremen Depot', address: 'Hafenstrasse 9' },
      ],
      groups: [{ ref: 'all-sites', name: 'All sites', memberRefs: ['hq', 'depot'] }],
      items: [
        { offeringCode: 'SDWAN_SITE', appliesTo: { group: 'all-sites' }, discountPct: 8 },
        { offeringCode: 'DIA_1G', appliesTo: { member: 'hq' }, discountPct: 5 },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const quoteId: string = created.body.id;
    const v1 = created.body.versions[0];

    const page = await get(`/quotes/${quoteId}/versions/1/proposal.html`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const text of [
      'Proposal Freight SE',
      'Hamburg HQ',
      'Bremen Depot',
      'All sites',
      'SD-WAN Site (SDWAN_SITE)',
      '1 × 2',
      '320.00 EUR',
      '8%',
      '588.80 EUR', // 320 × 0.92 × 2 sites
      `${v1.recurringTotal.toFixed(2)} EUR`,
      'availability: 99.5 percent',
      `valid until ${created.body.validUntil.slice(0, 10)}`,
      'Signature',
    ])
      expect(page.body).toContain(text);

    const pdf = await get(`/quotes/${quoteId}/versions/1/proposal.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const bytes = pdf.rawPayload;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const hash = sha256(bytes);
    expect(pdf.headers['x-document-sha256']).toBe(hash);
    // The same version always renders the same bytes: the hash names the document.
    expect(sha256((await get(`/quotes/${quoteId}/versions/1/proposal.pdf`)).rawPayload)).toBe(hash);

    const parser = new PDFParse({ data: new Uint8Array(bytes) });
    const { text } = await parser.getText();
    await parser.destroy();
    for (const expected of [
      `Proposal ${quoteId}, version 1`,
      'Proposal Freight SE',
      'Hamburg HQ',
      'Jungfernstieg 1',
      'All sites',
      '(DIA_1G)',
      '890.00 EUR',
      '845.50 EUR', // 890 × 0.95
      `Recurring (monthly): ${v1.recurringTotal.toFixed(2)} EUR`,
      `One-off: ${v1.oneOffTotal.toFixed(2)} EUR`,
      'timeToRestore: 8 hours',
      `Valid until: ${created.body.validUntil.slice(0, 10)}`,
      'Signature',
    ])
      expect(text).toContain(expected);

    expect((await get(`/quotes/${quoteId}/versions/2/proposal.pdf`)).statusCode).toBe(404);

    const submitted = await h.http('POST', `/quotes/${quoteId}/submit`);
    expect(submitted.body.state).toBe('approved');
    const wrong = await h.http('POST', `/quotes/${quoteId}/accept`, {
      signedBy: 'Jane Doe, CFO',
      documentSha256: 'f'.repeat(64),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details[0]).toMatchObject({ field: 'documentSha256', rule: 'signed_document' });
    const accepted = await h.http('POST', `/quotes/${quoteId}/accept`, {
      signedBy: 'Jane Doe, CFO',
      documentSha256: hash,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.salesContract).toMatchObject({
      id: `SC-${quoteId}`,
      signedBy: 'Jane Doe, CFO',
      quoteVersion: 1,
      documentSha256: hash,
    });
  });
});
