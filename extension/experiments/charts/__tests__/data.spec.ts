import { downsample, nearestIndex, sortByStep } from '../downsample';
import { thin } from '../parallelDraw';
import { brushSelection, moveAxis, selectionMask } from '../brush';
import { jitter, PointIndex, placeAxis } from '../axes';
import { colorDimension, colorGroups, nearestLine, placeDimensions } from '../parallelModel';
import { linearScale, logScale, logTicks, niceDomain, niceTicks } from '../scales';
import { analyseAxis, formatExact, normalise, toNumber } from '../values';

describe('values', () => {
  it('reads numbers, numeric strings and MLflow spellings of NaN/±Inf', () => {
    expect(toNumber(1.5)).toBe(1.5);
    expect(toNumber('0.01')).toBe(0.01);
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('Infinity')).toBe(Infinity);
    expect(toNumber('-inf')).toBe(-Infinity);
    expect(toNumber('adam')).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(formatExact(-Infinity)).toBe('-Infinity');
    expect(formatExact(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('makes a numeric axis that leaves NaN/Inf out of the extent and counts them', () => {
    const axis = analyseAxis([3, '1', 'NaN', null, 'Infinity', 7]);
    expect(axis.kind).toBe('numeric');
    if (axis.kind !== 'numeric') return;
    expect([axis.min, axis.max]).toEqual([1, 7]);
    expect(axis.nonFinite).toBe(2);
    expect(axis.missing).toBe(1);
    const pos = normalise(axis);
    expect(Array.from(pos).map(p => (Number.isNaN(p) ? null : p))).toEqual([
      1 / 3,
      0,
      null,
      null,
      null,
      1
    ].map(p => (p === null ? null : Math.fround(p))));
  });

  it('makes a categorical axis when any value is not a number, sorted numerically if it can', () => {
    const axis = analyseAxis(['adam', 'sgd', null, 'adam']);
    expect(axis.kind).toBe('categorical');
    if (axis.kind !== 'categorical') return;
    expect(axis.categories).toEqual(['adam', 'sgd']);
    expect(Array.from(axis.codes)).toEqual([0, 1, -1, 0]);
    expect(Array.from(normalise(axis)).map(p => (Number.isNaN(p) ? null : p))).toEqual([0.25, 0.75, null, 0.25]);
  });

  it('puts non-positive values off a log axis', () => {
    const axis = analyseAxis([0, 1, 10, 100]);
    const pos = normalise(axis, true);
    expect(pos[0]).toBeNaN();
    expect(Array.from(pos.slice(1))).toEqual([0, 0.5, 1]);
  });
});

describe('scales', () => {
  it('gives round ticks inside the domain', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(-3, 97, 4)).toEqual([0, 20, 40, 60, 80]);
    expect(niceDomain(0.13, 0.87)).toEqual([0.1, 0.9]);
    expect(niceDomain(5, 5)).toEqual([4.5, 5.5]);
  });

  it('maps and inverts linear and log scales', () => {
    const lin = linearScale([0, 10], [100, 0]);
    expect(lin(2.5)).toBe(75);
    expect(lin.invert(75)).toBe(2.5);
    const log = logScale([1, 1000], [0, 300]);
    expect(log(10)).toBeCloseTo(100);
    expect(log.invert(200)).toBeCloseTo(100);
    expect(log(0)).toBeNaN();
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(0.5, 20)).toEqual([0.5, 1, 2, 5, 10, 20]);
  });
});

describe('downsample', () => {
  const points = Array.from({ length: 10000 }, (_, i) => ({ step: i, value: Math.sin(i / 50) }));

  it('keeps at most 4 points per pixel bucket, with each bucket minimum and maximum', () => {
    points[5000] = { step: 5000, value: 42 }; // a spike
    points[7000] = { step: 7000, value: -42 };
    const [segment] = downsample(points, 100);
    expect(segment.length).toBeLessThanOrEqual(400);
    expect(segment.length).toBeGreaterThan(100);
    expect(segment.some(p => p.value === 42)).toBe(true);
    expect(segment.some(p => p.value === -42)).toBe(true);
    expect(segment[0]).toBe(points[0]);
    expect(segment[segment.length - 1]).toBe(points[points.length - 1]);
    // Order is kept.
    expect(segment.every((p, i) => i === 0 || p.step > segment[i - 1].step)).toBe(true);
  });

  it('breaks the line at NaN/Inf values, and at values ≤ 0 on a log scale', () => {
    const pts = [
      { step: 0, value: 1 },
      { step: 1, value: 2 },
      { step: 2, value: NaN },
      { step: 3, value: 3 },
      { step: 4, value: Infinity },
      { step: 5, value: 0 },
      { step: 6, value: 5 }
    ];
    expect(downsample(pts, 1000).map(s => s.map(p => p.step))).toEqual([[0, 1], [3], [5, 6]]);
    expect(downsample(pts, 1000, { log: true }).map(s => s.map(p => p.step))).toEqual([[0, 1], [3], [6]]);
  });

  it('finds the nearest step and sorts out-of-order steps stably', () => {
    const pts = [{ step: 0 }, { step: 10 }, { step: 20 }];
    expect(nearestIndex(pts, 14)).toBe(1);
    expect(nearestIndex(pts, 16)).toBe(2);
    expect(nearestIndex(pts, -5)).toBe(0);
    expect(nearestIndex([], 3)).toBe(-1);
    const sorted = sortByStep([
      { step: 2, value: 1 },
      { step: 1, value: 2 },
      { step: 1, value: 3 }
    ]);
    expect(sorted.map(p => p.value)).toEqual([2, 3, 1]);
  });
});

describe('brushing', () => {
  const a = new Float32Array([0.1, 0.5, 0.9, NaN]);
  const b = new Float32Array([0.9, 0.5, 0.1, 0.5]);

  it('selects the runs inside every brush, never a missing value, and all runs without brushes', () => {
    expect(brushSelection([a, b], [], 4)).toEqual([0, 1, 2, 3]);
    expect(brushSelection([a, b], [[0.4, 1]], 4)).toEqual([1, 2]);
    expect(brushSelection([a, b], [[1, 0.4], [0, 0.6]], 4)).toEqual([1, 2]);
    expect(brushSelection([a, b], [null, [0.4, 0.6]], 4)).toEqual([1, 3]);
    expect(brushSelection([a, b], [[0.4, 1], [0.4, 0.6]], 4)).toEqual([1]);
    expect(Array.from(selectionMask([1, 3], 4))).toEqual([0, 1, 0, 1]);
  });

  it('reorders axes', () => {
    expect(moveAxis([0, 1, 2], 0, 2)).toEqual([1, 2, 0]);
    expect(moveAxis([0, 1, 2], 2, 1)).toEqual([0, 2, 1]);
    expect(moveAxis([0, 1, 2], 0, -1)).toEqual([0, 1, 2]);
  });
});

describe('placing', () => {
  it('places numeric and categorical axes in pixels, jitter bounded', () => {
    const num = placeAxis([0, 5, 10, null], 0, 100);
    expect(Array.from(num.pixels.slice(0, 3))).toEqual([0, 50, 100]);
    expect(num.pixels[3]).toBeNaN();
    expect(num.ticks.map(t => t.label)).toContain('5');
    const cat = placeAxis(['b', 'a', 'b'], 0, 100);
    expect(cat.ticks.map(t => t.label)).toEqual(['a', 'b']);
    expect(cat.pixels[1]).toBeGreaterThanOrEqual(10);
    expect(cat.pixels[1]).toBeLessThanOrEqual(40);
    expect(cat.pixels[0]).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < 1000; i++) {
      expect(Math.abs(jitter(i))).toBeLessThanOrEqual(0.5);
    }
  });

  it('finds the point under the pointer among 10,000', () => {
    const n = 10000;
    const xs = new Float32Array(n);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = (i % 100) * 6;
      ys[i] = Math.floor(i / 100) * 6;
    }
    const index = new PointIndex(xs, ys);
    expect(index.nearest(6 * 42 + 1, 6 * 17 - 1)).toBe(17 * 100 + 42);
    expect(index.nearest(-50, -50)).toBe(-1);
  });

  it('colours by the chosen dimension and finds the hovered polyline', () => {
    const dims = placeDimensions([
      { label: 'lr', values: [0.1, 0.2, 0.3] },
      { label: 'opt', values: ['adam', 'sgd', null] },
      { label: 'loss', values: [1, 2, 3] }
    ]);
    expect(colorDimension(dims, 'opt')).toBe(1);
    expect(colorDimension(dims, undefined)).toBe(2);
    expect(colorDimension(dims, 0)).toBe(0);
    expect(Array.from(colorGroups(dims[1], 3))).toEqual([0, 1, -1]);
    expect(Array.from(colorGroups(dims[2], 3))).toEqual([0, 4, 7]);
    // Axes at x = 0, 100, 200; height 100. Run 1 (lr 0.5 → y 50; opt sgd 0.75 → y 25).
    expect(nearestLine(dims, [0, 1, 2], [0, 100, 200], 100, 50, 37.5)).toBe(1);
    expect(nearestLine(dims, [0, 1, 2], [0, 100, 200], 100, 50, 37.5, new Uint8Array([1, 0, 1]))).toBe(-1);
  });
});

describe('drawing budget', () => {
  it('thins a large selection evenly while dragging and keeps a small one whole', () => {
    const runs = Array.from({ length: 10000 }, (_, i) => i);
    const few = runs.slice(0, 100);
    expect(thin(few, 2500)).toBe(few);
    const thinned = thin(runs, 2500);
    expect(thinned.length).toBeLessThanOrEqual(2500);
    expect(thinned.length).toBeGreaterThan(2000);
    expect(thinned.slice(0, 3)).toEqual([0, 4, 8]);
  });
});
