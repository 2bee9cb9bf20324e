import type { Catalog, TaskKind } from '../catalog/schema';
import { childId } from './order-plan';

export interface OrderItemToDecompose {
  id: string;
  subOrderId: string;
  offeringCode: string;
}

export interface PlannedDomainOrder {
  id: string;
  subOrderId: string;
  orderItemIds: string[];
  specCode: string;
  domain: string;
  /** Domain orders (in this or another sub-order) that must complete first. */
  dependsOn: string[];
}

export interface PlannedTask {
  id: string;
  domainOrderId: string;
  code: string;
  name: string;
  kind: TaskKind;
  system: string | null;
  /** Tasks of the same domain order that must complete first. */
  dependsOn: string[];
  plannedMinutes: number;
  pointOfNoReturn: boolean;
}

export interface Decomposition {
  catalogVersion: string;
  domainOrders: PlannedDomainOrder[];
  tasks: PlannedTask[];
}

/**
 * Decomposes order items into domain orders and tasks (stage 6 of DESIGN.md): one domain order per
 * product specification per sub-order, in the order the items and their offerings list them; the
 * catalog's specification dependencies become edges between domain orders (within the sub-order, or
 * across the whole order for `scope: order`), its task plans become tasks with their own edges.
 * Pure and deterministic: the same items and catalog always give the same IDs and graph.
 */
export function decomposeOrder(items: OrderItemToDecompose[], catalog: Catalog): Decomposition {
  const offerings = new Map(catalog.offerings.map((o) => [o.code, o]));
  const specs = new Map(catalog.specifications.map((s) => [s.code, s]));
  const domainOrders: PlannedDomainOrder[] = [];
  const bySubOrder = new Map<string, Map<string, PlannedDomainOrder>>();

  for (const item of items) {
    const offering = offerings.get(item.offeringCode);
    if (!offering)
      throw new Error(
        `Order item ${item.id}: offering ${item.offeringCode} is not in catalog ${catalog.version}`,
      );
    let inSubOrder = bySubOrder.get(item.subOrderId);
    if (!inSubOrder) bySubOrder.set(item.subOrderId, (inSubOrder = new Map()));
    for (const specCode of offering.specifications) {
      const existing = inSubOrder.get(specCode);
      if (existing) {
        if (!existing.orderItemIds.includes(item.id)) existing.orderItemIds.push(item.id);
        continue;
      }
      const spec = specs.get(specCode)!;
      const domainOrder: PlannedDomainOrder = {
        id: childId.domainOrder(item.subOrderId, inSubOrder.size),
        subOrderId: item.subOrderId,
        orderItemIds: [item.id],
        specCode,
        domain: spec.domain,
        dependsOn: [],
      };
      inSubOrder.set(specCode, domainOrder);
      domainOrders.push(domainOrder);
    }
  }

  for (const domainOrder of domainOrders) {
    for (const dep of specs.get(domainOrder.specCode)!.dependsOn) {
      const targets =
        dep.scope === 'order'
          ? domainOrders.filter((d) => d.specCode === dep.spec)
          : [bySubOrder.get(domainOrder.subOrderId)!.get(dep.spec)].filter((d) => d !== undefined);
      for (const target of targets) domainOrder.dependsOn.push(target.id);
    }
  }

  const tasks: PlannedTask[] = domainOrders.flatMap((domainOrder) => {
    const templates = specs.get(domainOrder.specCode)!.tasks;
    const idOf = new Map(templates.map((t, i) => [t.code, childId.task(domainOrder.id, i)]));
    return templates.map((t) => ({
      id: idOf.get(t.code)!,
      domainOrderId: domainOrder.id,
      code: t.code,
      name: t.name,
      kind: t.kind,
      system: t.system ?? null,
      dependsOn: t.dependsOn.map((d) => idOf.get(d)!),
      plannedMinutes: t.plannedMinutes,
      pointOfNoReturn: t.pointOfNoReturn,
    }));
  });

  return { catalogVersion: catalog.version, domainOrders, tasks };
}
