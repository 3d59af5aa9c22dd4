/**
 * Stroking thousands of polylines on a canvas. Paths are stroked in chunks (one path of 10,000
 * crossing lines rasterises much slower than fifty of 200), and while a brush is dragged only
 * an even subset of a large selection is drawn, the full set once the drag ends.
 */
import type { IPlacedDimension } from './parallelModel';

/** Lines drawn per stroke. */
const CHUNK = 200;
/** Lines drawn at most while a brush is being dragged. */
export const DRAG_BUDGET = 2500;

export interface ILineLayout {
  dims: readonly IPlacedDimension[];
  /** Dimensions in display order. */
  shown: readonly number[];
  xs: readonly number[];
  toY: (position: number) => number;
}

/** Every `stride`-th of `runs`, so a drag redraws a thinned but even picture. */
export function thin(runs: readonly number[], budget: number): readonly number[] {
  if (runs.length <= budget) return runs;
  const stride = Math.ceil(runs.length / budget);
  return runs.filter((_, k) => k % stride === 0);
}

/** Stroke the polylines of `runs` in `color`. */
export function strokeLines(
  ctx: CanvasRenderingContext2D,
  layout: ILineLayout,
  runs: readonly number[],
  color: string
): void {
  const { dims, shown, xs, toY } = layout;
  const columns = shown.map(d => dims[d].positions);
  ctx.strokeStyle = color;
  for (let start = 0; start < runs.length; start += CHUNK) {
    ctx.beginPath();
    const end = Math.min(runs.length, start + CHUNK);
    for (let r = start; r < end; r++) {
      const i = runs[r];
      for (let k = 0; k < columns.length; k++) {
        const y = toY(columns[k][i]);
        if (k === 0) ctx.moveTo(xs[k], y);
        else ctx.lineTo(xs[k], y);
      }
    }
    ctx.stroke();
  }
}

/** Group runs by colour group (-1: missing colour value). */
export function byGroup(runs: readonly number[], groups: Int16Array): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const i of runs) {
    const g = groups[i];
    const list = out.get(g);
    if (list) list.push(i);
    else out.set(g, [i]);
  }
  return out;
}

/** Run `draw` in the next animation frame; the returned function cancels it. */
export function inFrame(draw: () => void): () => void {
  if (typeof requestAnimationFrame !== 'function') {
    draw();
    return () => undefined;
  }
  const id = requestAnimationFrame(draw);
  return () => cancelAnimationFrame(id);
}
