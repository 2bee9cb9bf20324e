import { catalogSchema, type Catalog } from './schema';

export class CatalogError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid catalog:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

/** Finds one cycle in `edges` (node -> nodes it depends on), as the path that closes it, or undefined. */
export function findCycle(nodes: string[], edges: (node: string) => string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of edges(node)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Parses and checks a catalog document: its shape, then every reference (a dangling dependency, a
 * duplicate code, an unknown domain) and every dependency graph (no cycle). Throws a CatalogError that
 * names each entry and the rule it breaks, so a bad catalog stops start-up, never an order at run time.
 */
export function validateCatalog(document: unknown): Catalog {
  const parsed = catalogSchema.safeParse(document);
  if (!parsed.success) {
    throw new CatalogError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const catalog = parsed.data;
  const problems: string[] = [];
  const duplicates = (codes: string[], what: string) => {
    const seen = new Set<string>();
    for (const c of codes) {
      if (seen.has(c)) problems.push(`${what} ${c}: code is used twice`);
      seen.add(c);
    }
  };
  duplicates(
    catalog.offerings.map((o) => o.code),
    'offering',
  );
  duplicates(
    catalog.specifications.map((s) => s.code),
    'specification',
  );
  duplicates(
    catalog.specifications.flatMap((s) => s.tasks.map((t) => t.code)),
    'task',
  );

  const specs = new Map(catalog.specifications.map((s) => [s.code, s]));
  for (const spec of catalog.specifications) {
    if (!catalog.domains[spec.domain])
      problems.push(`specification ${spec.code}: domain "${spec.domain}" is not declared`);
    for (const dep of spec.dependsOn) {
      if (!specs.has(dep.spec))
        problems.push(`specification ${spec.code}: depends on unknown specification ${dep.spec}`);
      if (dep.spec === spec.code) problems.push(`specification ${spec.code}: depends on itself`);
    }
    const taskCodes = new Set(spec.tasks.map((t) => t.code));
    for (const task of spec.tasks) {
      for (const dep of task.dependsOn) {
        if (!taskCodes.has(dep))
          problems.push(
            `task ${spec.code}.${task.code}: depends on ${dep}, which is not a task of ${spec.code}`,
          );
      }
      if (task.kind === 'api' && !task.system)
        problems.push(`task ${spec.code}.${task.code}: an api task must name its system`);
      if (task.kind === 'project' && !task.milestones?.length)
        problems.push(`task ${spec.code}.${task.code}: a project task must list its milestones`);
    }
    const taskCycle = findCycle([...taskCodes], (c) => spec.tasks.find((t) => t.code === c)?.dependsOn ?? []);
    if (taskCycle)
      problems.push(`specification ${spec.code}: task dependencies form a cycle ${taskCycle.join(' -> ')}`);
  }
  const specCycle = findCycle([...specs.keys()], (c) =>
    (specs.get(c)?.dependsOn ?? []).map((d) => d.spec).filter((d) => specs.has(d)),
  );
  if (specCycle) problems.push(`specifications: dependencies form a cycle ${specCycle.join(' -> ')}`);

  for (const offering of catalog.offerings) {
    for (const specCode of offering.specifications) {
      if (!specs.has(specCode))
        problems.push(`offering ${offering.code}: names unknown specification ${specCode}`);
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return catalog;
}
