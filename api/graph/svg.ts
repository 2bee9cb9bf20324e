/**
 * The order graph as a standalone SVG, laid out here without a browser: each sub-order a box whose
 * domain orders and tasks sit in columns by dependency depth (a longest-path layering), boxes stacked
 * top to bottom; collapsed graphs put one card per sub-order on a grid. Edges across sub-orders are
 * drawn over the boxes.
 */
import type { GraphEdge, GraphGroup, GraphNode, OrderGraph } from './model';
import { groupCounts, groupTitle } from './mermaid';
import { colourOf, falloutColour, jeopardyStroke, legend } from './palette';

const NODE_W = 200;
const NODE_H = 38;
const COL_GAP = 48;
const ROW_GAP = 12;
const PAD = 14;
const HEADER = 26;
const GROUP_GAP = 24;
const TOP = 70;
const CARD_W = 260;
const CARD_H = 64;
const CARDS_PER_ROW = 6;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function renderSvg(graph: OrderGraph): string {
  const boxes = new Map<string, Box>();
  const body: string[] = [];
  let width = 720;
  let height = TOP;

  if (graph.collapsed) {
    graph.groups.forEach((group, i) => {
      const box = {
        x: PAD + (i % CARDS_PER_ROW) * (CARD_W + GROUP_GAP),
        y: TOP + Math.floor(i / CARDS_PER_ROW) * (CARD_H + GROUP_GAP),
        w: CARD_W,
        h: CARD_H,
      };
      boxes.set(group.id, box);
      body.push(card(group, box));
      width = Math.max(width, box.x + box.w + PAD);
      height = Math.max(height, box.y + box.h + PAD);
    });
  } else {
    const inGroup = new Map<string, string>();
    for (const g of graph.groups) for (const n of g.nodes) inGroup.set(n.id, g.id);
    let y = TOP;
    for (const group of graph.groups) {
      const own = graph.edges.filter((e) => !e.across && inGroup.get(e.to) === group.id);
      const columns = layer(group.nodes, own);
      const rows = Math.max(1, ...columns.map((c) => c.length));
      const w = Math.max(420, PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * COL_GAP);
      const h = HEADER + PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP;
      const box = { x: PAD, y, w, h };
      columns.forEach((column, c) =>
        column.forEach((node, r) =>
          boxes.set(node.id, {
            x: box.x + PAD + c * (NODE_W + COL_GAP),
            y: box.y + HEADER + PAD + r * (NODE_H + ROW_GAP),
            w: NODE_W,
            h: NODE_H,
          }),
        ),
      );
      body.push(
        `<g class="sub-order" data-id="${esc(group.id)}" data-state="${esc(group.state)}">` +
          `<title>${esc(groupTitle(group))}\n${esc(groupCounts(group))}</title>` +
          `<rect x="${box.x}" y="${box.y}" width="${w}" height="${h}" rx="8" fill="#fafafa" stroke="${colourOf(group.state).stroke}"${jeopardyAttrs(group.jeopardy)}/>` +
          `<text x="${box.x + PAD}" y="${box.y + 18}" font-weight="bold">${esc(groupTitle(group))}</text>`,
      );
      for (const node of columns.flat()) body.push(nodeSvg(node, boxes.get(node.id)!));
      body.push('</g>');
      y += h + GROUP_GAP;
      width = Math.max(width, box.x + w + PAD * 4);
    }
    height = y;
  }

  const edges = graph.edges.map((e) => edgeSvg(e, boxes)).filter(Boolean);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#546e7a"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD}" y="24" font-size="16" font-weight="bold">Order ${esc(graph.orderId)} · ${esc(graph.state)} · ${graph.percent}% of ${graph.tasks} tasks${graph.jeopardy !== 'green' ? ` · jeopardy ${graph.jeopardy}` : ''}</text>`,
    legendSvg(),
    ...body,
    `<g class="edges" fill="none">${edges.join('')}</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

/**
 * Columns by longest path from the sources (Kahn's order over the group's own edges); within a column
 * nodes keep the tree's order (domain orders then their tasks), which keeps a domain order near its tasks.
 */
function layer(nodes: GraphNode[], edges: GraphEdge[]): GraphNode[][] {
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  const incoming = new Map(nodes.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!depth.has(e.from) || !depth.has(e.to)) continue;
    incoming.set(e.to, incoming.get(e.to)! + 1);
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const queue = nodes.filter((n) => incoming.get(n.id) === 0).map((n) => n.id);
  while (queue.length) {
    const id = queue.shift()!;
    for (const to of next.get(id) ?? []) {
      depth.set(to, Math.max(depth.get(to)!, depth.get(id)! + 1));
      incoming.set(to, incoming.get(to)! - 1);
      if (incoming.get(to) === 0) queue.push(to);
    }
  }
  const columns: GraphNode[][] = [];
  for (const n of nodes) (columns[depth.get(n.id)!] ??= []).push(n);
  return columns.filter(Boolean);
}

function nodeSvg(node: GraphNode, b: Box): string {
  const { fill, stroke } = colourOf(node.state);
  const rx = node.kind === 'domainOrder' ? 2 : 16;
  const title = `${node.id}: ${node.label} (${node.detail}), ${node.state}${
    node.jeopardy !== 'green' ? `, jeopardy ${node.jeopardy}` : ''
  }${node.fallouts.length ? `, open fall-out ${node.fallouts.join(', ')}` : ''}`;
  return (
    `<g class="node ${node.kind}" data-id="${esc(node.id)}" data-state="${esc(node.state)}" data-jeopardy="${node.jeopardy}"${node.fallouts.length ? ` data-fallouts="${esc(node.fallouts.join(' '))}"` : ''}>` +
    `<title>${esc(title)}</title>` +
    `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${rx}" fill="${fill}" stroke="${stroke}"${jeopardyAttrs(node.jeopardy)}/>` +
    `<text x="${b.x + 8}" y="${b.y + 15}"${node.kind === 'domainOrder' ? ' font-weight="bold"' : ''}>${esc(fit(node.label, 26))}</text>` +
    `<text x="${b.x + 8}" y="${b.y + 30}" font-size="10" fill="#455a64">${esc(fit(`${node.detail} · ${node.state}`, 32))}</text>` +
    marks(b, node.jeopardy, node.fallouts.length) +
    `</g>`
  );
}

function card(group: GraphGroup, b: Box): string {
  const { fill, stroke } = colourOf(group.state);
  return (
    `<g class="sub-order" data-id="${esc(group.id)}" data-state="${esc(group.state)}" data-jeopardy="${group.jeopardy}">` +
    `<title>${esc(groupTitle(group))}\n${esc(groupCounts(group))}</title>` +
    `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="8" fill="${fill}" stroke="${stroke}"${jeopardyAttrs(group.jeopardy)}/>` +
    `<text x="${b.x + 8}" y="${b.y + 17}" font-weight="bold">${esc(fit(`${group.id.replace(/^ORD-[^-]+-/, '')} ${group.name}`, 34))}</text>` +
    `<text x="${b.x + 8}" y="${b.y + 34}" font-size="10">${esc(group.state)} · ${group.counts.domainOrders} domain orders · ${group.counts.tasks} tasks</text>` +
    `<text x="${b.x + 8}" y="${b.y + 50}" font-size="10" fill="#455a64">${esc(
      fit(
        Object.entries(group.counts.tasksByState)
          .map(([s, n]) => `${n} ${s}`)
          .join(', '),
        44,
      ),
    )}</text>` +
    marks(b, group.jeopardy, group.fallouts) +
    `</g>`
  );
}

/** Jeopardy: a warning sign in the corner; open fall-outs: a red badge with their count. */
function marks(b: Box, jeopardy: string, fallouts: number): string {
  let out = '';
  if (jeopardy !== 'green')
    out += `<text class="jeopardy" x="${b.x + b.w - 34}" y="${b.y + 15}" fill="${jeopardyStroke[jeopardy as 'yellow' | 'red']}" font-weight="bold">⚠</text>`;
  if (fallouts > 0)
    out +=
      `<g class="fallout"><circle cx="${b.x + b.w - 10}" cy="${b.y + 10}" r="8" fill="${falloutColour}"/>` +
      `<text x="${b.x + b.w - 10}" y="${b.y + 14}" fill="#fff" font-size="10" text-anchor="middle">${fallouts}</text></g>`;
  return out;
}

function edgeSvg(edge: GraphEdge, boxes: Map<string, Box>): string {
  const a = boxes.get(edge.from);
  const b = boxes.get(edge.to);
  if (!a || !b) return '';
  let d: string;
  if (b.x > a.x + a.w / 2) {
    // forward: right side to left side
    const [x1, y1, x2, y2] = [a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2];
    const dx = Math.max(20, (x2 - x1) / 2);
    d = `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
  } else {
    // same column or backwards (across stacked sub-orders): loop out on the right
    const [x1, y1, x2, y2] = [a.x + a.w, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2];
    const bulge = Math.max(x1, x2) + 40;
    d = `M ${x1} ${y1} C ${bulge} ${y1}, ${bulge} ${y2}, ${x2} ${y2}`;
  }
  const style =
    edge.kind === 'contains'
      ? 'stroke="#90a4ae" stroke-dasharray="4 3"'
      : edge.across
        ? 'stroke="#6a1b9a" stroke-width="1.6"'
        : 'stroke="#546e7a"';
  return `<path class="edge${edge.across ? ' across' : ''}" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}" d="${d}" ${style} marker-end="url(#arrow)"/>`;
}

function legendSvg(): string {
  const items = legend.map((state, i) => {
    const { fill, stroke } = colourOf(state);
    const x = PAD + i * 110;
    return `<rect x="${x}" y="38" width="14" height="14" fill="${fill}" stroke="${stroke}"/><text x="${x + 20}" y="50">${state}</text>`;
  });
  const x = PAD + legend.length * 110;
  items.push(
    `<text x="${x}" y="50" fill="${jeopardyStroke.red}" font-weight="bold">⚠ jeopardy</text>`,
    `<circle cx="${x + 100}" cy="45" r="7" fill="${falloutColour}"/><text x="${x + 112}" y="50">open fall-outs</text>`,
  );
  return `<g class="legend">${items.join('')}</g>`;
}

const jeopardyAttrs = (level: string) =>
  level === 'green'
    ? ''
    : ` stroke-width="3" stroke-dasharray="6 3" style="stroke:${jeopardyStroke[level as 'yellow' | 'red']}"`;

const fit = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
