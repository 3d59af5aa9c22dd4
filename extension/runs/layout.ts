/**
 * Layered layout of a pipeline DAG for the run view.
 *
 * Pipelines are small (≤ 500 steps, usually < 20) and we only need left-to-right layers with few
 * crossings, so this is a longest-path layering plus a few barycentre sweeps (the first two phases
 * of Sugiyama's method) instead of a layout dependency: deterministic, ~100 lines, testable.
 */
export interface ILayoutNode {
  id: string;
  /** Upstream node ids (edges go upstream → this node). */
  dependsOn: string[];
}

export interface IPlacedNode {
  id: string;
  layer: number;
  order: number;
  x: number;
  y: number;
}

export interface IPlacedEdge {
  from: string;
  to: string;
  /** SVG path from the upstream node's right edge to the downstream node's left edge. */
  path: string;
}

export interface IDagLayout {
  nodes: IPlacedNode[];
  edges: IPlacedEdge[];
  width: number;
  height: number;
}

export interface ILayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  layerGap?: number;
  rowGap?: number;
  margin?: number;
}

/**
 * Place nodes in layers: a node's layer is the length of the longest path from a source to it.
 * Unknown upstream ids are ignored; cycles (the server refuses them) fall back to layer 0.
 */
export function assignLayers(nodes: ILayoutNode[]): Map<string, number> {
  const byId = new Map(nodes.map(n => [n.id, n]));
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) {
      return known;
    }
    if (visiting.has(id)) {
      return 0;
    }
    visiting.add(id);
    const node = byId.get(id)!;
    let layer = 0;
    for (const up of node.dependsOn) {
      if (byId.has(up)) {
        layer = Math.max(layer, visit(up) + 1);
      }
    }
    visiting.delete(id);
    layers.set(id, layer);
    return layer;
  };
  nodes.forEach(n => visit(n.id));
  return layers;
}

export function layoutDag(nodes: ILayoutNode[], options: ILayoutOptions = {}): IDagLayout {
  const nodeWidth = options.nodeWidth ?? 160;
  const nodeHeight = options.nodeHeight ?? 44;
  const layerGap = options.layerGap ?? 56;
  const rowGap = options.rowGap ?? 16;
  const margin = options.margin ?? 12;

  const layerOf = assignLayers(nodes);
  const layerCount = nodes.length ? Math.max(...layerOf.values()) + 1 : 0;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  nodes.forEach(n => layers[layerOf.get(n.id)!].push(n.id));

  // Reduce crossings: order each layer by the mean position of its upstream nodes.
  const upstream = new Map(nodes.map(n => [n.id, n.dependsOn.filter(d => layerOf.has(d))]));
  const position = new Map<string, number>();
  const index = () => layers.forEach(l => l.forEach((id, i) => position.set(id, i)));
  index();
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let l = 1; l < layers.length; l++) {
      const key = (id: string) => {
        const ups = upstream.get(id)!;
        return ups.length
          ? ups.reduce((sum, u) => sum + position.get(u)!, 0) / ups.length
          : position.get(id)!;
      };
      const keys = new Map(layers[l].map(id => [id, key(id)]));
      layers[l].sort((a, b) => keys.get(a)! - keys.get(b)! || a.localeCompare(b));
      index();
    }
  }

  const tallest = Math.max(0, ...layers.map(l => l.length));
  const height = margin * 2 + tallest * nodeHeight + Math.max(0, tallest - 1) * rowGap;
  const width = margin * 2 + layerCount * nodeWidth + Math.max(0, layerCount - 1) * layerGap;
  const placed = new Map<string, IPlacedNode>();
  layers.forEach((ids, layer) => {
    const span = ids.length * nodeHeight + (ids.length - 1) * rowGap;
    const top = (height - span) / 2;
    ids.forEach((id, order) => {
      placed.set(id, {
        id,
        layer,
        order,
        x: margin + layer * (nodeWidth + layerGap),
        y: top + order * (nodeHeight + rowGap)
      });
    });
  });

  const edges: IPlacedEdge[] = [];
  for (const node of nodes) {
    const to = placed.get(node.id)!;
    for (const up of upstream.get(node.id)!) {
      const from = placed.get(up)!;
      const x1 = from.x + nodeWidth;
      const y1 = from.y + nodeHeight / 2;
      const x2 = to.x;
      const y2 = to.y + nodeHeight / 2;
      const mid = (x1 + x2) / 2;
      edges.push({
        from: up,
        to: node.id,
        path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`
      });
    }
  }
  return { nodes: nodes.map(n => placed.get(n.id)!), edges, width, height };
}
