/**
 * The data side of parallel coordinates: every dimension analysed and placed in [0, 1], the
 * colour of each run from the `colorBy` dimension, and the polyline nearest the pointer.
 */
import { ramp, SERIES_COUNT } from './palette';
import { analyseAxis, Axis, normalise, RawValue } from './values';
import { formatTick, niceTicks } from './scales';

export interface IDimension {
  label: string;
  values: RawValue[];
}

export interface IPlacedDimension {
  label: string;
  axis: Axis;
  /** Position of each run on the axis, 0 = bottom, 1 = top, NaN = missing. */
  positions: Float32Array;
  ticks: { at: number; label: string }[];
}

export const COLOR_BINS = 8;

export function placeDimensions(dimensions: readonly IDimension[]): IPlacedDimension[] {
  return dimensions.map(d => {
    const axis = analyseAxis(d.values);
    const positions = normalise(axis);
    let ticks: { at: number; label: string }[];
    if (axis.kind === 'numeric') {
      const span = axis.max - axis.min;
      ticks = niceTicks(axis.min, axis.max, 4).map(t => ({
        at: span > 0 ? (t - axis.min) / span : 0.5,
        label: formatTick(t)
      }));
    } else {
      const n = axis.categories.length;
      const every = Math.max(1, Math.ceil(n / 12));
      ticks = axis.categories
        .map((c, i) => ({ at: (i + 0.5) / n, label: c.length > 12 ? `${c.slice(0, 11)}…` : c, i }))
        .filter(t => t.i % every === 0)
        .map(({ at, label }) => ({ at, label }));
    }
    return { label: d.label, axis, positions, ticks };
  });
}

/** Which dimension colours the lines: an index, a label, or (default) the last dimension. */
export function colorDimension(
  dimensions: readonly { label: string }[],
  colorBy: number | string | undefined
): number {
  if (typeof colorBy === 'number' && colorBy >= 0 && colorBy < dimensions.length) {
    return colorBy;
  }
  if (typeof colorBy === 'string') {
    const i = dimensions.findIndex(d => d.label === colorBy);
    if (i >= 0) return i;
  }
  return dimensions.length - 1;
}

/**
 * Colour group of every run: numeric → one of COLOR_BINS bins low…high; categorical → the
 * category's palette slot; -1 when the value is missing.
 */
export function colorGroups(dim: IPlacedDimension | undefined, count: number): Int16Array {
  const groups = new Int16Array(count).fill(-1);
  if (!dim) return groups;
  for (let i = 0; i < count; i++) {
    if (dim.axis.kind === 'categorical') {
      const c = dim.axis.codes[i];
      groups[i] = c < 0 ? -1 : c % SERIES_COUNT;
    } else {
      const p = dim.positions[i];
      groups[i] = Number.isNaN(p) ? -1 : Math.min(COLOR_BINS - 1, Math.floor(p * COLOR_BINS));
    }
  }
  return groups;
}

/** The CSS colour of each group for the colouring dimension. */
export function groupColors(
  dim: IPlacedDimension | undefined,
  colors: { series: string[]; low: string; high: string }
): string[] {
  return dim?.axis.kind === 'categorical' ? colors.series : ramp(colors.low, colors.high, COLOR_BINS);
}

/**
 * The run whose polyline passes nearest (x, y) in plot pixels (only runs in `mask` when given),
 * -1 beyond `radius`. `xs` are the axes' x positions in display order, `order` the dimensions.
 */
export function nearestLine(
  dims: readonly IPlacedDimension[],
  order: readonly number[],
  xs: readonly number[],
  height: number,
  x: number,
  y: number,
  mask?: Uint8Array,
  radius = 5
): number {
  if (order.length < 2) return -1;
  let k = 0;
  while (k < xs.length - 2 && x > xs[k + 1]) k++;
  const t = Math.max(0, Math.min(1, (x - xs[k]) / (xs[k + 1] - xs[k] || 1)));
  const a = dims[order[k]].positions;
  const b = dims[order[k + 1]].positions;
  let best = -1;
  let bestD = radius;
  for (let i = 0; i < a.length; i++) {
    if (mask && !mask[i]) continue;
    const pa = a[i];
    const pb = b[i];
    if (Number.isNaN(pa) || Number.isNaN(pb)) continue;
    const py = height * (1 - (pa + (pb - pa) * t));
    const d = Math.abs(py - y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
