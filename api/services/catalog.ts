import type { AppDeps } from '../deps';

/** The current catalog's offerings, each with its specifications and their domain spelled out. */
export function catalogOfferings({ catalogs }: AppDeps) {
  const catalog = catalogs.current;
  const specs = new Map(catalog.specifications.map((s) => [s.code, s]));
  return {
    version: catalog.version,
    currency: catalog.currency,
    standardSlas: catalog.standardSlas,
    offerings: catalog.offerings.map((o) => ({
      ...o,
      specifications: o.specifications.map((code) => {
        const spec = specs.get(code)!;
        return { ...spec, domain: { code: spec.domain, ...catalog.domains[spec.domain] } };
      }),
    })),
  };
}
