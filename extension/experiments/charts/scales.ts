/**
 * Small scales and "nice" ticks (linear and log10), enough for the experiment charts.
 */

export interface IScale {
  (value: number): number;
  invert(pixel: number): number;
  ticks(count?: number): number[];
  readonly domain: [number, number];
  readonly log: boolean;
}

/**
 * Ticks at round steps (1, 2 or 5 × 10^k) covering [min, max], about `count` of them.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return [];
  }
  if (min === max) {
    return [min];
  }
  if (min > max) {
    [min, max] = [max, min];
  }
  const raw = (max - min) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const error = raw / power;
  const step = power * (error >= 7.5 ? 10 : error >= 3.5 ? 5 : error >= 1.5 ? 2 : 1);
  // Tolerate binary noise at the ends (0.35 / 0.05 = 6.999999999999999).
  const start = Math.ceil(min / step - 1e-9);
  const stop = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let i = start; i <= stop; i++) {
    // Multiply rather than accumulate, and round off binary noise (0.30000000000000004).
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** Powers of ten within [min, max] (both > 0); adds 2× and 5× when there are few decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) {
    return [];
  }
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const ticks: number[] = [];
  const mantissas = Math.log10(max / min) <= 2 ? [1, 2, 5] : [1];
  for (let e = lo; e <= hi; e++) {
    for (const m of mantissas) {
      const t = Number((m * Math.pow(10, e)).toPrecision(12));
      if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) {
        ticks.push(t);
      }
    }
  }
  return ticks;
}

/** Widen [min, max] to round numbers so the axis ends on ticks. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return [min - pad, max + pad];
  }
  const ticks = niceTicks(min, max, count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : (max - min) / count;
  return [
    Number((Math.floor(min / step + 1e-9) * step).toPrecision(12)),
    Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12))
  ];
}

export function linearScale(domain: [number, number], range: [number, number]): IScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((v: number) => (k === 0 ? (r0 + r1) / 2 : r0 + (v - d0) * k)) as IScale;
  scale.invert = (p: number) => (k === 0 ? d0 : d0 + (p - r0) / k);
  scale.ticks = (count = 5) => niceTicks(d0, d1, count);
  Object.defineProperty(scale, 'domain', { value: [d0, d1] });
  Object.defineProperty(scale, 'log', { value: false });
  return scale;
}

/** A log10 scale; values ≤ 0 map to NaN (callers leave them out). */
export function logScale(domain: [number, number], range: [number, number]): IScale {
  const d0 = Math.max(domain[0], Number.MIN_VALUE);
  const d1 = Math.max(domain[1], d0);
  const inner = linearScale([Math.log10(d0), Math.log10(d1)], range);
  const scale = ((v: number) => (v > 0 ? inner(Math.log10(v)) : NaN)) as IScale;
  scale.invert = (p: number) => Math.pow(10, inner.invert(p));
  scale.ticks = () => logTicks(d0, d1);
  Object.defineProperty(scale, 'domain', { value: [d0, d1] });
  Object.defineProperty(scale, 'log', { value: true });
  return scale;
}

/** A tick label: short (≤ 4 significant digits, exponent for very large or small values). */
export function formatTick(value: number): string {
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) {
    return value.toExponential(1).replace('e+', 'e');
  }
  return String(Number(value.toPrecision(4)));
}
