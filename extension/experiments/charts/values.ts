/**
 * Turning the API's column values (numbers, strings, NaN/±Inf as strings, nulls) into what the
 * charts draw: a numeric axis (finite numbers) or a categorical one (distinct strings).
 */

/** A value as the experiments API answers it. */
export type RawValue = number | string | null | undefined;

const SPECIAL: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity
};

/**
 * The number a value stands for: numbers as they are, numeric strings parsed, MLflow's NaN/±Inf
 * spellings mapped; `null` when missing or not a number.
 */
export function toNumber(value: RawValue): number | null {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value !== 'string') {
    return null;
  }
  const text = value.trim();
  if (text === '') {
    return null;
  }
  const special = SPECIAL[text.toLowerCase()];
  if (special !== undefined) {
    return special;
  }
  const n = Number(text);
  return Number.isNaN(n) ? null : n;
}

export interface INumericAxis {
  kind: 'numeric';
  /** Finite values; NaN where the value is missing or not finite. */
  values: Float64Array;
  min: number;
  max: number;
  /** How many values are NaN or ±Inf (they are not drawn). */
  nonFinite: number;
  missing: number;
}

export interface ICategoricalAxis {
  kind: 'categorical';
  /** Distinct values, sorted (numerically when they all are numbers). */
  categories: string[];
  /** Index into `categories`; -1 where missing. */
  codes: Int32Array;
  missing: number;
}

export type Axis = INumericAxis | ICategoricalAxis;

/**
 * A numeric axis when every present value is a number (NaN/±Inf included), else categorical.
 */
export function analyseAxis(values: readonly RawValue[]): Axis {
  const n = values.length;
  const numbers = new Float64Array(n);
  let numeric = true;
  let present = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === '') {
      numbers[i] = NaN;
      continue;
    }
    present++;
    const x = toNumber(v);
    if (x === null) {
      numeric = false;
      break;
    }
    numbers[i] = x;
  }
  if (numeric && present > 0) {
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const x = numbers[i];
      if (Number.isFinite(x)) {
        if (x < min) min = x;
        if (x > max) max = x;
      } else {
        const v = values[i];
        if (v === null || v === undefined || v === '') {
          missing++;
        } else {
          nonFinite++;
        }
        numbers[i] = NaN;
      }
    }
    if (min > max) {
      min = 0;
      max = 1;
    }
    return { kind: 'numeric', values: numbers, min, max, nonFinite, missing };
  }
  return categorical(values);
}

function categorical(values: readonly RawValue[]): ICategoricalAxis {
  const index = new Map<string, number>();
  for (const v of values) {
    if (v !== null && v !== undefined && v !== '' && !index.has(String(v))) {
      index.set(String(v), 0);
    }
  }
  const categories = [...index.keys()];
  const allNumbers = categories.every(c => toNumber(c) !== null);
  categories.sort(
    allNumbers ? (a, b) => (toNumber(a) as number) - (toNumber(b) as number) : (a, b) => a.localeCompare(b)
  );
  categories.forEach((c, i) => index.set(c, i));
  const codes = new Int32Array(values.length);
  let missing = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined || v === '') {
      codes[i] = -1;
      missing++;
    } else {
      codes[i] = index.get(String(v)) as number;
    }
  });
  return { kind: 'categorical', categories, codes, missing };
}

/**
 * Position of every value along an axis in [0, 1] (0 = low end / first category), NaN when it
 * is missing or not finite. With `log`, non-positive values are NaN.
 */
export function normalise(axis: Axis, log = false): Float32Array {
  if (axis.kind === 'categorical') {
    const n = axis.categories.length;
    const out = new Float32Array(axis.codes.length);
    axis.codes.forEach((c, i) => {
      out[i] = c < 0 ? NaN : (c + 0.5) / n;
    });
    return out;
  }
  const out = new Float32Array(axis.values.length);
  const f = log ? Math.log10 : (x: number) => x;
  const lo = log ? Math.log10(positiveMin(axis)) : axis.min;
  const hi = log ? Math.log10(Math.max(axis.max, positiveMin(axis))) : axis.max;
  const span = hi - lo;
  axis.values.forEach((x, i) => {
    if (!Number.isFinite(x) || (log && x <= 0)) {
      out[i] = NaN;
    } else {
      out[i] = span > 0 ? (f(x) - lo) / span : 0.5;
    }
  });
  return out;
}

/** The smallest positive value of a numeric axis (1 if there is none). */
export function positiveMin(axis: INumericAxis): number {
  let min = Infinity;
  for (const x of axis.values) {
    if (x > 0 && x < min) min = x;
  }
  return Number.isFinite(min) ? min : 1;
}

/** A value shown exactly (tooltips, data tables): MLflow's spelling for NaN/±Inf. */
export function formatExact(value: RawValue): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return String(value);
  }
  return value;
}
