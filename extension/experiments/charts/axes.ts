/**
 * Placing the values of one axis in pixels (scatter plot): numeric axes on a nice linear scale,
 * categorical ones in bands with a small fixed jitter so equal values do not hide each other.
 */
import { formatTick, linearScale, niceDomain } from './scales';
import { analyseAxis, Axis, RawValue } from './values';

export interface IPlacedAxis {
  axis: Axis;
  /** Pixel position of every value; NaN when it cannot be drawn. */
  pixels: Float32Array;
  ticks: { at: number; label: string }[];
}

/** A deterministic pseudo-random number in [-0.5, 0.5) for index i. */
export function jitter(i: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return ((h >>> 0) % 1000) / 1000 - 0.5;
}

/**
 * Pixels along [start, end] (end may be less than start, for a y axis growing upwards).
 */
export function placeAxis(values: readonly RawValue[], start: number, end: number): IPlacedAxis {
  const axis = analyseAxis(values);
  const pixels = new Float32Array(values.length);
  const length = Math.abs(end - start);
  if (axis.kind === 'numeric') {
    const scale = linearScale(niceDomain(axis.min, axis.max), [start, end]);
    axis.values.forEach((v, i) => {
      pixels[i] = Number.isFinite(v) ? scale(v) : NaN;
    });
    const count = Math.max(2, Math.floor(length / 70));
    return {
      axis,
      pixels,
      ticks: scale.ticks(count).map(t => ({ at: scale(t), label: formatTick(t) }))
    };
  }
  const n = Math.max(1, axis.categories.length);
  const band = (end - start) / n;
  axis.codes.forEach((c, i) => {
    pixels[i] = c < 0 ? NaN : start + (c + 0.5 + jitter(i) * 0.6) * band;
  });
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(length / 40))));
  const ticks = axis.categories
    .map((label, c) => ({ at: start + (c + 0.5) * band, label, c }))
    .filter(t => t.c % every === 0)
    .map(({ at, label }) => ({ at, label: label.length > 14 ? `${label.slice(0, 13)}…` : label }));
  return { axis, pixels, ticks };
}

/**
 * A uniform grid over drawn points, to find the one under the pointer without scanning 10,000.
 */
export class PointIndex {
  private _cells = new Map<number, number[]>();

  constructor(
    private _xs: Float32Array,
    private _ys: Float32Array,
    private _cell = 12
  ) {
    for (let i = 0; i < _xs.length; i++) {
      const x = _xs[i];
      const y = _ys[i];
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      const key = this._key(Math.floor(x / _cell), Math.floor(y / _cell));
      const list = this._cells.get(key);
      if (list) list.push(i);
      else this._cells.set(key, [i]);
    }
  }

  /** The drawn point nearest (x, y) within `radius` pixels; -1 if none. */
  nearest(x: number, y: number, radius = 8): number {
    const cx = Math.floor(x / this._cell);
    const cy = Math.floor(y / this._cell);
    const reach = Math.ceil(radius / this._cell);
    let best = -1;
    let bestD = radius * radius;
    for (let gx = cx - reach; gx <= cx + reach; gx++) {
      for (let gy = cy - reach; gy <= cy + reach; gy++) {
        for (const i of this._cells.get(this._key(gx, gy)) ?? []) {
          const d = (this._xs[i] - x) ** 2 + (this._ys[i] - y) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  private _key(gx: number, gy: number): number {
    return (gx + 4096) * 8192 + (gy + 4096);
  }
}
