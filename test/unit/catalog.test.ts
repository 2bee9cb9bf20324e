import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../catalog/load';
import { CatalogError, validateCatalog } from '../../catalog/validate';

const catalog = readCatalog();
const clone = () => structuredClone(catalog) as any;

describe('the product catalog', () => {
  it('models a realistic portfolio: 6+ offerings, 12+ specifications, 5+ domains, all four task kinds', () => {
    expect(catalog.offerings.length).toBeGreaterThanOrEqual(6);
    expect(catalog.specifications.length).toBeGreaterThanOrEqual(12);
    expect(new Set(catalog.specifications.map((s) => s.domain)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(catalog.specifications.flatMap((s) => s.tasks.map((t) => t.kind)))).toEqual(
      new Set(['api', 'manual', 'field', 'project']),
    );
    for (const o of catalog.offerings)
      expect(o.prices).toEqual({ recurring: expect.any(Number), oneOff: expect.any(Number) });
  });

  it('refuses a dangling specification dependency, naming the entry', () => {
    const bad = clone();
    bad.specifications.find((s: any) => s.code === 'IP_ADDRESSING').dependsOn = [{ spec: 'ACCESS_WARP' }];
    expect(() => validateCatalog(bad)).toThrow(
      /specification IP_ADDRESSING: depends on unknown specification ACCESS_WARP/,
    );
  });

  it('refuses a cycle between specifications and between tasks', () => {
    const bad = clone();
    bad.specifications.find((s: any) => s.code === 'ACCESS_FIBER').dependsOn = [{ spec: 'IP_ADDRESSING' }];
    const tasks = bad.specifications.find((s: any) => s.code === 'CPE_ROUTER').tasks;
    tasks[0].dependsOn = ['INSTALL_ROUTER'];
    try {
      validateCatalog(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      const problems = (err as CatalogError).problems;
      expect(problems).toContainEqual(
        expect.stringMatching(/specifications: dependencies form a cycle .*ACCESS_FIBER.*IP_ADDRESSING/),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(/specification CPE_ROUTER: task dependencies form a cycle/),
      );
    }
  });

  it('refuses a malformed entry with its path, and an offering naming an unknown specification', () => {
    const bad = clone();
    bad.offerings[0].prices.recurring = -5;
    expect(() => validateCatalog(bad)).toThrow(/offerings\.0\.prices\.recurring/);
    const unknown = clone();
    unknown.offerings[0].specifications.push('NOPE');
    expect(() => validateCatalog(unknown)).toThrow(
      /offering BUSINESS_BROADBAND: names unknown specification NOPE/,
    );
  });
});
