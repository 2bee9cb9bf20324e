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
  /** Domain orders of the same sub-order that must complete first (the sub-order runs them as a graph). */
  dependsOn: string[];
  /** Planned completion, in minutes from the start of fulfilment. */
  dueMinutes: number;
}

export interface PlannedTask {
  id: string;
  domainOrderId: string;
  code: string;
  name: string;
  kind: TaskKind;
  system: string | null;
  /**
   * Tasks that must complete first: of the same domain order, or of another one (in this or another
   * sub-order) where the catalog links specifications with `scope: order`.
   */
  dependsOn: string[];
  /** The throttle lane: the task waits until this one has finished, whatever its outcome. */
  throttledAfter: string[];
  /** Domain orders (other than its own) waiting on this task, to be told when it finishes. */
  notifies: string[];
  plannedMinutes: number;
  /** Planned start and completion, in minutes from the start of fulfilment (the critical path). */
  startMinutes: number;
  dueMinutes: number;
  pointOfNoReturn: boolean;
}

export interface Decomposition {
  catalogVersion: string;
  /** Sub-orders in the order to start them: those others wait on come first. */
  subOrderIds: string[];
  domainOrders: PlannedDomainOrder[];
  tasks: PlannedTask[];
  /** Planned completion of each sub-order and of the whole order, in minutes from the start. */
  subOrderDueMinutes: Record<string, number>;
  dueMinutes: number;
}

/**
 * Decomposes order items into domain orders and tasks (stage 6 of DESIGN.md). Pure and deterministic:
 * the same items and catalog always give the same IDs, graph and plan.
 *
 * - One domain order per product specification per sub-order, in the order items and offerings list them.
 * - A specification dependency within the sub-order is an edge between domain orders, which the
 *   sub-order workflow runs as a graph. One with `scope: order` waits for every instance in the order:
 *   it becomes task edges, from the sink tasks of each instance to the root tasks of the dependent.
 * - A task with a `throttle` group takes a lane: at most the domain's `maxInFlightPerOrder` of the group
 *   run at once in the order, because the k-th waits until the (k − cap)-th has finished.
 * - Each task gets its planned start and completion from the critical path of the catalog's durations.
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
        dueMinutes: 0,
      };
      inSubOrder.set(specCode, domainOrder);
      domainOrders.push(domainOrder);
    }
  }

  const tasks: PlannedTask[] = [];
  const tasksOf = new Map<string, PlannedTask[]>();
  for (const domainOrder of domainOrders) {
    const templates = specs.get(domainOrder.specCode)!.tasks;
    const idOf = new Map(templates.map((t, i) => [t.code, childId.task(domainOrder.id, i)]));
    const own = templates.map((t): PlannedTask => ({
      id: idOf.get(t.code)!,
      domainOrderId: domainOrder.id,
      code: t.code,
      name: t.name,
      kind: t.kind,
      system: t.system ?? null,
      dependsOn: t.dependsOn.map((d) => idOf.get(d)!),
      throttledAfter: [],
      notifies: [],
      plannedMinutes: t.plannedMinutes,
      startMinutes: 0,
      dueMinutes: 0,
      pointOfNoReturn: t.pointOfNoReturn,
    }));
    tasksOf.set(domainOrder.id, own);
    tasks.push(...own);
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  // First and last tasks of each domain order's own plan, before edges from other domain orders join.
  const rootsOf = new Map(
    domainOrders.map((d) => [d.id, tasksOf.get(d.id)!.filter((t) => t.dependsOn.length === 0)]),
  );
  const roots = (d: PlannedDomainOrder) => rootsOf.get(d.id)!;
  const sinks = (d: PlannedDomainOrder) => {
    const own = tasksOf.get(d.id)!;
    return own.filter((t) => !own.some((o) => o.dependsOn.includes(t.id)));
  };

  // Specification dependencies: domain-order edges within a sub-order, task edges across the order.
  for (const domainOrder of domainOrders) {
    for (const dep of specs.get(domainOrder.specCode)!.dependsOn) {
      if (dep.scope === 'subOrder') {
        const target = bySubOrder.get(domainOrder.subOrderId)!.get(dep.spec);
        if (target) domainOrder.dependsOn.push(target.id);
        continue;
      }
      for (const target of domainOrders.filter((d) => d.specCode === dep.spec)) {
        for (const root of roots(domainOrder))
          for (const sink of sinks(target)) {
            root.dependsOn.push(sink.id);
            if (!sink.notifies.includes(domainOrder.id)) sink.notifies.push(domainOrder.id);
          }
      }
    }
  }

  const subOrderIds = startOrder([...bySubOrder.keys()], tasks, byId);
  const rank = new Map(subOrderIds.map((id, i) => [id, i]));
  const subOrderOf = (t: PlannedTask) => t.domainOrderId.slice(0, t.domainOrderId.lastIndexOf('-D'));

  // Throttle lanes, in the order the sub-orders start, so a lane only ever waits on an earlier sub-order.
  const lanes = new Map<string, PlannedTask[]>();
  for (const domainOrder of domainOrders) {
    const spec = specs.get(domainOrder.specCode)!;
    for (const template of spec.tasks) {
      if (!template.throttle) continue;
      const task = tasksOf.get(domainOrder.id)!.find((t) => t.code === template.code)!;
      const key = `${spec.domain}/${template.throttle}`;
      lanes.set(key, [...(lanes.get(key) ?? []), task]);
    }
  }
  for (const [key, laneTasks] of lanes) {
    const cap = catalog.domains[key.slice(0, key.indexOf('/'))].maxInFlightPerOrder;
    laneTasks.sort((a, b) => rank.get(subOrderOf(a))! - rank.get(subOrderOf(b))! || compareIds(a.id, b.id));
    laneTasks.forEach((task, k) => {
      if (k < cap) return;
      const before = laneTasks[k - cap];
      task.throttledAfter.push(before.id);
      if (before.domainOrderId !== task.domainOrderId && !before.notifies.includes(task.domainOrderId))
        before.notifies.push(task.domainOrderId);
    });
  }

  // The critical path: a task starts when its domain order's predecessors and its own have finished.
  const domainOrderById = new Map(domainOrders.map((d) => [d.id, d]));
  const predecessors = (t: PlannedTask): PlannedTask[] => [
    ...t.dependsOn.map((id) => byId.get(id)!),
    ...(t.dependsOn.some((id) => byId.get(id)!.domainOrderId === t.domainOrderId)
      ? []
      : domainOrderById.get(t.domainOrderId)!.dependsOn.flatMap((d) => sinks(domainOrderById.get(d)!))),
  ];
  const done = new Set<string>();
  const visit = (t: PlannedTask): number => {
    if (done.has(t.id)) return t.dueMinutes;
    t.startMinutes = Math.max(0, ...predecessors(t).map(visit));
    t.dueMinutes = t.startMinutes + t.plannedMinutes;
    done.add(t.id);
    return t.dueMinutes;
  };
  tasks.forEach(visit);
  for (const d of domainOrders) d.dueMinutes = Math.max(...tasksOf.get(d.id)!.map((t) => t.dueMinutes));
  const subOrderDueMinutes: Record<string, number> = {};
  for (const d of domainOrders)
    subOrderDueMinutes[d.subOrderId] = Math.max(subOrderDueMinutes[d.subOrderId] ?? 0, d.dueMinutes);

  return {
    catalogVersion: catalog.version,
    subOrderIds,
    domainOrders,
    tasks,
    subOrderDueMinutes,
    dueMinutes: Math.max(0, ...Object.values(subOrderDueMinutes)),
  };
}

/** `S2` before `S10`: IDs compared by their numeric parts. */
export function compareIds(a: string, b: string): number {
  return idCollator.compare(a, b);
}
/** One collator for every comparison: `localeCompare` with options builds one per call (a read's hot spot). */
const idCollator = new Intl.Collator('en', { numeric: true });

/**
 * The order to start sub-orders in: one that others wait on (through a task edge) comes first, so a
 * bounded window of running sub-orders never waits on one that has not started. Ties keep ID order.
 */
function startOrder(subOrderIds: string[], tasks: PlannedTask[], byId: Map<string, PlannedTask>): string[] {
  const subOrderOf = (taskId: string) => taskId.slice(0, taskId.lastIndexOf('-D'));
  const waitsOn = new Map(subOrderIds.map((id) => [id, new Set<string>()]));
  for (const t of tasks)
    for (const dep of t.dependsOn) {
      const from = subOrderOf(byId.get(dep)!.id);
      const to = subOrderOf(t.id);
      if (from !== to) waitsOn.get(to)!.add(from);
    }
  const sorted = [...subOrderIds].sort(compareIds);
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < sorted.length) {
    const next =
      sorted.find((id) => !placed.has(id) && [...waitsOn.get(id)!].every((d) => placed.has(d))) ??
      // Sub-orders that wait on each other (possible only with two `scope: order` links in opposite
      // directions): start them in ID order; the window is sized so that they run together.
      sorted.find((id) => !placed.has(id))!;
    placed.add(next);
    order.push(next);
  }
  return order;
}
