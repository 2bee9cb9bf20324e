/** The term and price list of a sales (frame) agreement, and the rules a quote made under it must keep. */

export interface AgreementTerms {
  id: string;
  /** First and last day of the term, inclusive (ISO dates); null: unbounded on that side. */
  startsOn: string | null;
  endsOn: string | null;
  /** The catalog version (price list) the agreement applies to; null: any. */
  catalogVersion: string | null;
}

/** The ISO date (UTC) of an instant. */
export const isoDay = (at: Date = new Date()) => at.toISOString().slice(0, 10);

/** The last day of a term of `months` starting on `startsOn`: 2027-01-01 and 12 months end on 2027-12-31. */
export function termEnd(startsOn: string, months: number): string {
  const start = new Date(`${startsOn}T00:00:00Z`);
  const end = new Date(
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, start.getUTCDate()) - 86_400_000,
  );
  return isoDay(end);
}

export const isEffective = (a: AgreementTerms, day: string) =>
  (a.startsOn === null || a.startsOn <= day) && (a.endsOn === null || day <= a.endsOn);

/** What a quote made on `day` and priced from `catalogVersion` breaks of the agreement it names. */
export function agreementBreaches(a: AgreementTerms, day: string, catalogVersion: string) {
  const breaches: { rule: 'agreement_term' | 'agreement_price_list'; message: string }[] = [];
  if (!isEffective(a, day))
    breaches.push({
      rule: 'agreement_term',
      message: `sales agreement ${a.id} runs from ${a.startsOn ?? 'any date'} to ${a.endsOn ?? 'no end'}; a quote made on ${day} is outside its term`,
    });
  if (a.catalogVersion !== null && a.catalogVersion !== catalogVersion)
    breaches.push({
      rule: 'agreement_price_list',
      message: `sales agreement ${a.id} applies to price list (catalog) ${a.catalogVersion}; the quote is priced from catalog ${catalogVersion}`,
    });
  return breaches;
}
