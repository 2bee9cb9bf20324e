import type { Catalog } from '../catalog/schema';

export interface PricedLine {
  recurringListPrice: number;
  oneOffListPrice: number;
  recurringNet: number;
  oneOffNet: number;
  /** The discount the customer actually gets on the recurring charge, override included, in percent. */
  effectiveDiscountPct: number;
}

export interface LineToPrice {
  offeringCode: string;
  quantity: number;
  discountPct: number;
  /** A negotiated recurring unit price that replaces list price and discount. */
  priceOverride?: number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Prices one line from the catalog: list price × quantity, then the discount or the override. */
export function priceLine(catalog: Catalog, line: LineToPrice): PricedLine {
  const offering = catalog.offerings.find((o) => o.code === line.offeringCode);
  if (!offering) throw new Error(`Offering ${line.offeringCode} is not in catalog ${catalog.version}`);
  const { recurring, oneOff } = offering.prices;
  const factor = 1 - line.discountPct / 100;
  const recurringUnit = line.priceOverride ?? recurring * factor;
  const recurringNet = round2(recurringUnit * line.quantity);
  const oneOffNet = round2(oneOff * factor * line.quantity);
  const effectiveDiscountPct =
    recurring > 0 ? round2(Math.max(0, (1 - recurringUnit / recurring) * 100)) : line.discountPct;
  return {
    recurringListPrice: recurring,
    oneOffListPrice: oneOff,
    recurringNet,
    oneOffNet,
    effectiveDiscountPct,
  };
}

export interface QuoteTotals {
  recurringTotal: number;
  oneOffTotal: number;
  maxDiscountPct: number;
}

export function totalsOf(lines: PricedLine[]): QuoteTotals {
  return {
    recurringTotal: round2(lines.reduce((sum, l) => sum + l.recurringNet, 0)),
    oneOffTotal: round2(lines.reduce((sum, l) => sum + l.oneOffNet, 0)),
    maxDiscountPct: lines.reduce((max, l) => Math.max(max, l.effectiveDiscountPct), 0),
  };
}
