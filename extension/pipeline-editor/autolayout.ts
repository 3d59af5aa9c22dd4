import dagre from '@dagrejs/dagre';

import type { IPipelineState, IPosition } from './document';
import { edgesOf } from './graph';

export const NODE_WIDTH = 220;
export const NODE_BASE_HEIGHT = 64;
export const PORT_ROW = 22;

/** A node's height on the canvas: a header plus a row per port on its taller side. */
export function nodeHeight(portRows: number): number {
  return NODE_BASE_HEIGHT + Math.max(0, portRows) * PORT_ROW;
}

/**
 * Left-to-right layered positions for every step (dagre), top-left corners in canvas pixels,
 * rounded so the file's `layout` stays tidy. Deterministic for a given pipeline.
 */
export function autoLayout(
  state: IPipelineState,
  portRows: (step: string) => number = () => 1
): Record<string, IPosition> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const step of state.pipeline.steps) {
    g.setNode(step.name, { width: NODE_WIDTH, height: nodeHeight(portRows(step.name)) });
  }
  for (const e of edgesOf(state)) {
    g.setEdge(e.source, e.target);
  }
  dagre.layout(g);
  const positions: Record<string, IPosition> = {};
  for (const name of g.nodes()) {
    const n = g.node(name);
    positions[name] = { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) };
  }
  return positions;
}

/** Where to put a step that has no position yet: right of the rightmost node. */
export function nextFreePosition(positions: Record<string, IPosition>): IPosition {
  const all = Object.values(positions);
  if (all.length === 0) {
    return { x: 40, y: 40 };
  }
  const x = Math.max(...all.map(p => p.x)) + NODE_WIDTH + 80;
  return { x, y: Math.min(...all.map(p => p.y)) };
}
