/**
 * Drawing thousands of metric points: keep, per pixel-wide bucket of steps, the first, lowest,
 * highest and last point (so spikes survive), and break the line where a value is NaN/±Inf (or
 * ≤ 0 on a log scale).
 */

export interface IPoint {
  step: number;
  value: number;
}

/**
 * Split `points` (sorted by step) into drawable segments and downsample each to at most about
 * 4 points per bucket, `buckets` buckets spread evenly over [minStep, maxStep].
 */
export function downsample(
  points: readonly IPoint[],
  buckets: number,
  options: { minStep?: number; maxStep?: number; log?: boolean } = {}
): IPoint[][] {
  const drawable = (p: IPoint) => Number.isFinite(p.value) && (!options.log || p.value > 0);
  const minStep = options.minStep ?? (points.length ? points[0].step : 0);
  const maxStep = options.maxStep ?? (points.length ? points[points.length - 1].step : 0);
  const span = maxStep - minStep;
  const n = Math.max(1, Math.floor(buckets));
  const bucketOf = (step: number) =>
    span > 0 ? Math.min(n - 1, Math.floor(((step - minStep) / span) * n)) : 0;

  const segments: IPoint[][] = [];
  let current: IPoint[] = [];
  let bucket = -1;
  // Indices into `points` of the bucket's first, lowest, highest and last point (-1: empty).
  let first = -1;
  let low = -1;
  let high = -1;
  let last = -1;

  const flush = () => {
    if (first < 0) return;
    // Each point once, in the order it was logged.
    const kept = [...new Set([first, low, high, last])].sort((a, b) => a - b);
    for (const i of kept) current.push(points[i]);
    first = low = high = last = -1;
  };

  points.forEach((p, i) => {
    if (!drawable(p)) {
      flush();
      if (current.length) segments.push(current);
      current = [];
      bucket = -1;
      return;
    }
    const b = bucketOf(p.step);
    if (b !== bucket) {
      flush();
      bucket = b;
    }
    if (first < 0) {
      first = low = high = last = i;
    } else {
      if (p.value < points[low].value) low = i;
      if (p.value > points[high].value) high = i;
      last = i;
    }
  });
  flush();
  if (current.length) segments.push(current);
  return segments;
}

/** Index of the point whose step is nearest `step` (points sorted by step), -1 if none. */
export function nearestIndex(points: readonly { step: number }[], step: number): number {
  if (points.length === 0) {
    return -1;
  }
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1].step - step) <= Math.abs(points[lo].step - step)) {
    return lo - 1;
  }
  return lo;
}

/** Points sorted by step (stable: equal steps keep their logged order). */
export function sortByStep<T extends { step: number }>(points: readonly T[]): T[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i].step < points[i - 1].step) {
      return points.map((p, j) => [p, j] as const).sort((a, b) => a[0].step - b[0].step || a[1] - b[1]).map(e => e[0]);
    }
  }
  return points as T[];
}
