/** The order graph as Mermaid flowchart text (GitHub, GitLab and most wikis draw it). */
import type { GraphGroup, GraphNode, OrderGraph } from './model';
import { colourOf, falloutColour, jeopardyStroke } from './palette';

export function renderMermaid(graph: OrderGraph): string {
  const ids = new Map<string, string>();
  const idOf = (id: string) => {
    let short = ids.get(id);
    if (!short) ids.set(id, (short = `n${ids.size}`));
    return short;
  };
  const lines = [
    `%% Order ${graph.orderId}: ${graph.state}, ${graph.percent}% of ${graph.tasks} tasks done`,
    'flowchart LR',
  ];
  const classes = new Map<string, string[]>();
  const mark = (cls: string, id: string) => classes.set(cls, [...(classes.get(cls) ?? []), id]);
  const classify = (id: string, state: string, jeopardy: string, fallouts: number) => {
    mark(`state_${state}`, id);
    if (jeopardy !== 'green') mark(`jeopardy_${jeopardy}`, id);
    if (fallouts > 0) mark('fallout', id);
  };

  for (const group of graph.groups) {
    if (graph.collapsed) {
      const id = idOf(group.id);
      lines.push(`  ${id}["${text(groupTitle(group))}<br/>${text(groupCounts(group))}"]`);
      classify(id, group.state, group.jeopardy, group.fallouts);
      continue;
    }
    lines.push(`  subgraph ${idOf(group.id)}["${text(groupTitle(group))}"]`);
    for (const node of group.nodes) {
      const id = idOf(node.id);
      const [open, close] = node.kind === 'domainOrder' ? ['[[', ']]'] : ['(', ')'];
      lines.push(`    ${id}${open}"${text(nodeLabel(node))}"${close}`);
      classify(id, node.state, node.jeopardy, node.fallouts.length);
    }
    lines.push('  end');
  }
  for (const edge of graph.edges)
    lines.push(`  ${idOf(edge.from)} ${edge.kind === 'contains' ? '-.->' : '-->'} ${idOf(edge.to)}`);

  for (const [cls, members] of classes) {
    const [kind, value] = cls.split('_');
    if (kind === 'state') {
      const { fill, stroke } = colourOf(value);
      lines.push(`  classDef ${cls} fill:${fill},stroke:${stroke},color:#212121`);
    } else if (kind === 'jeopardy') {
      lines.push(
        `  classDef ${cls} stroke:${jeopardyStroke[value as 'yellow' | 'red']},stroke-width:3px,stroke-dasharray:6 3`,
      );
    } else lines.push(`  classDef ${cls} stroke:${falloutColour},stroke-width:4px`);
    lines.push(`  class ${members.join(',')} ${cls}`);
  }
  return `${lines.join('\n')}\n`;
}

export const groupTitle = (g: GraphGroup) =>
  `${g.id} ${g.name} · ${g.state}${g.jeopardy !== 'green' ? ` · jeopardy ${g.jeopardy}` : ''}${
    g.fallouts > 0 ? ` · ${g.fallouts} open fall-out${g.fallouts > 1 ? 's' : ''}` : ''
  }`;

export const groupCounts = (g: GraphGroup) =>
  `${g.counts.domainOrders} domain orders · ${g.counts.tasks} tasks: ${Object.entries(g.counts.tasksByState)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ')}`;

export const nodeLabel = (n: GraphNode) =>
  `${n.label} (${n.detail}) · ${n.state}${n.jeopardy !== 'green' ? ` ⚠ ${n.jeopardy}` : ''}${
    n.fallouts.length ? ` · fall-out ${n.fallouts.join(', ')}` : ''
  }`;

/** Mermaid labels in quotes take entity codes; quotes and angle brackets would end or break them. */
const text = (s: string) => s.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');
