/** Frame agreements with terms: dates, a default negotiated discount and a price list shape the quotes made under them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogVersions } from '../../db/schema';
import { createAccount, hq } from './fixtures';
import { startStubApp, type StubApp } from './stub-app';

let s: StubApp;
beforeAll(async () => {
  s = await startStubApp();
  // An older price list, known to the database but no longer current.
  await s.database.db
    .insert(catalogVersions)
    .values({ version: 'test-2025.01', checksum: 'test', document: {} })
    .onConflictDoNothing();
});
afterAll(async () => {
  await s?.stop();
});

const slas = [{ metric: 'availability', target: 99.9, unit: 'percent' }];
const today = new Date().toISOString().slice(0, 10);
const rulesOf = (error: { details: { field: string; rule: string }[] }) =>
  error.details.map((d) => `${d.field}:${d.rule}`);

describe('frame agreements with terms', () => {
  it('gives quotes made under an agreement its default discount, and refuses quotes outside its dates or price list', async () => {
    const accountId = await createAccount(s);
    const agreement = await s.http('POST', '/agreements', {
      accountId,
      name: 'Frame 2026',
      maxDiscountPct: 10,
      defaultDiscountPct: 7,
      durationMonths: 12,
      slas,
    });
    expect(agreement.status, JSON.stringify(agreement.body)).toBe(201);
    expect(agreement.body).toMatchObject({
      startsOn: today,
      defaultDiscountPct: 7,
      catalogVersion: s.catalog.version,
      effective: true,
    });
    const end = new Date(`${today}T00:00:00Z`);
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    end.setUTCDate(end.getUTCDate() - 1);
    expect(agreement.body.endsOn).toBe(end.toISOString().slice(0, 10));

    const quote = await s.http('POST', '/quotes', {
      accountId,
      agreementId: agreement.body.id,
      members: [hq],
      items: [
        { offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } },
        { offeringCode: 'MANAGED_ROUTER', appliesTo: { member: 'hq' }, discountPct: 3 },
      ],
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    const items = quote.body.versions[0].items;
    expect(items.map((i: { discountPct: number }) => i.discountPct)).toEqual([7, 3]);
    expect(items[0].recurringNet).toBeCloseTo(59 * 0.93, 2);
    expect(quote.body.versions[0]).toMatchObject({ maxDiscountPct: 7, agreementMaxDiscountPct: 10 });

    const later = await s.http('POST', '/agreements', {
      accountId,
      name: 'Next year',
      maxDiscountPct: 15,
      startsOn: `${Number(today.slice(0, 4)) + 1}-01-01`,
      endsOn: `${Number(today.slice(0, 4)) + 1}-12-31`,
      slas,
    });
    const ended = await s.http('POST', '/agreements', {
      accountId,
      name: 'Old frame',
      maxDiscountPct: 15,
      startsOn: '2020-01-01',
      endsOn: '2020-12-31',
      slas,
    });
    const oldPrices = await s.http('POST', '/agreements', {
      accountId,
      name: 'Old price list',
      maxDiscountPct: 15,
      priceList: 'test-2025.01',
      slas,
    });
    for (const a of [later, ended, oldPrices]) expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(ended.body.effective).toBe(false);

    const under = (agreementId: string) =>
      s.http('POST', '/quotes', {
        accountId,
        agreementId,
        members: [hq],
        items: [{ offeringCode: 'BUSINESS_BROADBAND', appliesTo: { member: 'hq' } }],
      });
    const early = await under(later.body.id);
    expect(early.status).toBe(422);
    expect(rulesOf(early.body.error)).toEqual(['agreementId:agreement_term']);
    expect(early.body.error.details[0].message).toMatch(/outside its term/);
    const expired = await under(ended.body.id);
    expect(rulesOf(expired.body.error)).toEqual(['agreementId:agreement_term']);
    const otherPrices = await under(oldPrices.body.id);
    expect(otherPrices.status).toBe(422);
    expect(rulesOf(otherPrices.body.error)).toEqual(['agreementId:agreement_price_list']);
    expect(otherPrices.body.error.details[0].message).toMatch(/test-2025\.01/);

    // A change that moves the quote under an agreement out of its term is refused the same way.
    const moved = await s.http('PATCH', `/quotes/${quote.body.id}`, { agreementId: ended.body.id });
    expect(moved.status).toBe(422);
    expect(rulesOf(moved.body.error)).toEqual(['agreementId:agreement_term']);

    const listed = await s.http('GET', `/accounts/${accountId}/agreements`);
    expect(listed.status).toBe(200);
    expect(
      listed.body.agreements.map((a: { name: string; effective: boolean }) => [a.name, a.effective]),
    ).toEqual([
      ['Next year', false],
      // The same start: the newer first.
      ['Old price list', true],
      ['Frame 2026', true],
      ['Old frame', false],
    ]);
    expect((await s.http('GET', '/accounts/ACC-NOPE/agreements')).status).toBe(404);
  });

  it('refuses an agreement whose terms do not hold together, every rule listed', async () => {
    const accountId = await createAccount(s);
    const refused = await s.http('POST', '/agreements', {
      accountId,
      maxDiscountPct: 10,
      defaultDiscountPct: 12,
      startsOn: '2027-06-01',
      endsOn: '2027-01-01',
      durationMonths: 6,
      priceList: 'no-such-catalog',
      slas,
    });
    expect(refused.status).toBe(422);
    expect(rulesOf(refused.body.error)).toEqual([
      'durationMonths:one_of',
      'endsOn:term',
      'defaultDiscountPct:capped',
      'priceList:in_catalog',
    ]);
  });
});
