/**
 * Brushing in parallel coordinates: a brush is a range of positions [0, 1] on one axis; a run is
 * selected when its value lies inside every brush (a missing value never does).
 */

export type Brush = readonly [number, number];

/**
 * Indices of the runs inside every brush. `positions[d][i]` is run i's position on dimension d
 * (NaN when missing); `brushes[d]` is that dimension's brush or null. No brush: every run.
 */
export function brushSelection(
  positions: readonly Float32Array[],
  brushes: readonly (Brush | null | undefined)[],
  count: number
): number[] {
  const active: [Float32Array, number, number][] = [];
  brushes.forEach((b, d) => {
    if (b && positions[d]) {
      active.push([positions[d], Math.min(b[0], b[1]), Math.max(b[0], b[1])]);
    }
  });
  const selected: number[] = [];
  outer: for (let i = 0; i < count; i++) {
    for (const [pos, lo, hi] of active) {
      const p = pos[i];
      if (!(p >= lo && p <= hi)) {
        continue outer;
      }
    }
    selected.push(i);
  }
  return selected;
}

/** A membership mask of `selected` over `count` runs. */
export function selectionMask(selected: readonly number[], count: number): Uint8Array {
  const mask = new Uint8Array(count);
  for (const i of selected) {
    if (i >= 0 && i < count) mask[i] = 1;
  }
  return mask;
}

/** Move the dimension at `from` to `to` in a display order. */
export function moveAxis(order: readonly number[], from: number, to: number): number[] {
  const next = [...order];
  if (from < 0 || from >= next.length || to < 0 || to >= next.length) {
    return next;
  }
  const [d] = next.splice(from, 1);
  next.splice(to, 0, d);
  return next;
}
