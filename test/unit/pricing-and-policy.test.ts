import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../catalog/load';
import { requiredApprovals } from '../../domain/approval-policy';
import { priceLine, totalsOf } from '../../domain/pricing';

const catalog = readCatalog();

describe('pricing from the catalog', () => {
  it('prices list × quantity, then the discount on recurring and one-off charges', () => {
    const line = priceLine(catalog, { offeringCode: 'DIA_1G', quantity: 2, discountPct: 10 });
    expect(line).toEqual({
      recurringListPrice: 890,
      oneOffListPrice: 1500,
      recurringNet: 1602,
      oneOffNet: 2700,
      effectiveDiscountPct: 10,
    });
  });

  it('lets a negotiated price override replace list price and discount, and counts it as a discount', () => {
    const line = priceLine(catalog, {
      offeringCode: 'SDWAN_SITE',
      quantity: 1,
      discountPct: 0,
      priceOverride: 240,
    });
    expect(line.recurringNet).toBe(240);
    expect(line.effectiveDiscountPct).toBe(25);
  });

  it('totals recurring and one-off apart and reports the largest discount', () => {
    const totals = totalsOf([
      priceLine(catalog, { offeringCode: 'BUSINESS_BROADBAND', quantity: 1, discountPct: 0 }),
      priceLine(catalog, { offeringCode: 'MANAGED_ROUTER', quantity: 1, discountPct: 30 }),
    ]);
    expect(totals).toEqual({ recurringTotal: 59 + 52.5, oneOffTotal: 99 + 175, maxDiscountPct: 30 });
  });
});

describe('approval policy', () => {
  it.each([
    [0, undefined, []],
    [10, undefined, []],
    [10.5, undefined, ['salesManager']],
    [25, undefined, ['salesManager']],
    [30, undefined, ['salesManager', 'financeManager']],
    [15, 12, ['salesManager', 'financeManager']],
    [8, 12, []],
  ])('a %s%% discount (agreement cap %s) needs %j', (discount, cap, expected) => {
    expect(requiredApprovals(discount, cap)).toEqual(expected);
  });
});
