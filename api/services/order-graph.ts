/** An order's decomposition as a picture: Mermaid text, or SVG drawn here (no browser). */
import type { AppDeps } from '../deps';
import { graphOfOrder, type GraphView } from '../graph/model';
import { renderMermaid } from '../graph/mermaid';
import { renderSvg } from '../graph/svg';
import { getOrderTree } from './orders';

export type GraphFormat = 'mermaid' | 'svg';

export async function orderGraph(deps: AppDeps, orderId: string, format: GraphFormat, view: GraphView) {
  const graph = graphOfOrder(await getOrderTree(deps, orderId), view);
  return format === 'svg'
    ? { contentType: 'image/svg+xml; charset=utf-8', body: renderSvg(graph) }
    : { contentType: 'text/plain; charset=utf-8', body: renderMermaid(graph) };
}
