/**
 * An order's decomposition as a graph: sub-orders as groups, domain orders and tasks as nodes, dependency
 * edges (across sub-orders too). Built from the order tree; the Mermaid and SVG renderers draw it.
 */

type Jeopardy = 'green' | 'yellow' | 'red';

/** What the graph needs of the order tree (`getOrderTree`): states, jeopardy, dependencies, fall-outs. */
export interface OrderTreeForGraph {
  id: string;
  state: string;
  jeopardy: Jeopardy;
  progress: { tasks: number; percent: number };
  openFallouts: { id: string; taskId: string; type: string; priority: string }[];
  subOrders: {
    id: string;
    name: string;
    state: string;
    domainOrders: {
      id: string;
      specCode: string;
      domain: string;
      state: string;
      jeopardy: Jeopardy;
      dependsOn: string[];
      tasks: {
        id: string;
        code: string;
        kind: string;
        state: string;
        jeopardy: Jeopardy;
        dependsOn: string[];
      }[];
    }[];
  }[];
}

export interface GraphNode {
  id: string;
  kind: 'domainOrder' | 'task';
  /** The catalog code: the specification of a domain order, the task's code. */
  label: string;
  /** The domain of a domain order, the kind of a task. */
  detail: string;
  state: string;
  jeopardy: Jeopardy;
  /** Open fall-out cases on this task (IDs). */
  fallouts: string[];
}

export interface GraphGroup {
  /** The sub-order's ID. */
  id: string;
  name: string;
  state: string;
  /** The worst jeopardy of anything in the sub-order. */
  jeopardy: Jeopardy;
  /** Open fall-out cases in the sub-order. */
  fallouts: number;
  counts: { domainOrders: number; tasks: number; tasksByState: Record<string, number> };
  /** Empty when the graph is collapsed to sub-orders. */
  nodes: GraphNode[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** `dependsOn`: `to` waits for `from`; `contains`: a domain order and a task it starts with. */
  kind: 'dependsOn' | 'contains';
  /** The edge joins two sub-orders. */
  across: boolean;
}

export interface OrderGraph {
  orderId: string;
  state: string;
  jeopardy: Jeopardy;
  percent: number;
  tasks: number;
  /** Sub-orders drawn as single nodes with counts; edges then join sub-orders. */
  collapsed: boolean;
  groups: GraphGroup[];
  edges: GraphEdge[];
}

/** Past this many sub-orders the picture shows sub-orders with counts instead of every task. */
export const COLLAPSE_ABOVE_SUB_ORDERS = 50;

export type GraphView = 'auto' | 'full' | 'subOrders';

const rank: Record<Jeopardy, number> = { green: 0, yellow: 1, red: 2 };
const worst = (levels: Jeopardy[]): Jeopardy =>
  levels.reduce<Jeopardy>((w, l) => (rank[l] > rank[w] ? l : w), 'green');

export function graphOfOrder(tree: OrderTreeForGraph, view: GraphView = 'auto'): OrderGraph {
  const collapsed =
    view === 'subOrders' || (view === 'auto' && tree.subOrders.length > COLLAPSE_ABOVE_SUB_ORDERS);
  const falloutsOf = new Map<string, string[]>();
  for (const f of tree.openFallouts) falloutsOf.set(f.taskId, [...(falloutsOf.get(f.taskId) ?? []), f.id]);

  const subOrderOf = new Map<string, string>();
  for (const s of tree.subOrders)
    for (const d of s.domainOrders) {
      subOrderOf.set(d.id, s.id);
      for (const t of d.tasks) subOrderOf.set(t.id, s.id);
    }

  const groups: GraphGroup[] = tree.subOrders.map((s) => {
    const tasks = s.domainOrders.flatMap((d) => d.tasks);
    const tasksByState: Record<string, number> = {};
    for (const t of tasks) tasksByState[t.state] = (tasksByState[t.state] ?? 0) + 1;
    const nodes: GraphNode[] = collapsed
      ? []
      : s.domainOrders.flatMap((d) => [
          {
            id: d.id,
            kind: 'domainOrder' as const,
            label: d.specCode,
            detail: d.domain,
            state: d.state,
            jeopardy: d.jeopardy,
            fallouts: [],
          },
          ...d.tasks.map((t) => ({
            id: t.id,
            kind: 'task' as const,
            label: t.code,
            detail: t.kind,
            state: t.state,
            jeopardy: t.jeopardy,
            fallouts: falloutsOf.get(t.id) ?? [],
          })),
        ]);
    return {
      id: s.id,
      name: s.name,
      state: s.state,
      jeopardy: worst([...s.domainOrders.map((d) => d.jeopardy), ...tasks.map((t) => t.jeopardy)]),
      fallouts: tasks.reduce((n, t) => n + (falloutsOf.get(t.id)?.length ?? 0), 0),
      counts: { domainOrders: s.domainOrders.length, tasks: tasks.length, tasksByState },
      nodes,
    };
  });

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, kind: GraphEdge['kind']) => {
    const fromGroup = subOrderOf.get(from);
    const toGroup = subOrderOf.get(to);
    if (!fromGroup || !toGroup) return; // a dependency outside the order's tree (superseded, removed)
    const across = fromGroup !== toGroup;
    if (collapsed) {
      if (!across) return;
      [from, to] = [fromGroup, toGroup];
    }
    const key = `${from}>${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, kind, across });
  };
  for (const s of tree.subOrders)
    for (const d of s.domainOrders) {
      for (const before of d.dependsOn) add(before, d.id, 'dependsOn');
      const own = new Set(d.tasks.map((t) => t.id));
      for (const t of d.tasks) {
        for (const before of t.dependsOn) add(before, t.id, 'dependsOn');
        if (!collapsed && !t.dependsOn.some((b) => own.has(b))) add(d.id, t.id, 'contains');
      }
    }

  return {
    orderId: tree.id,
    state: tree.state,
    jeopardy: tree.jeopardy,
    percent: tree.progress.percent,
    tasks: tree.progress.tasks,
    collapsed,
    groups,
    edges,
  };
}
