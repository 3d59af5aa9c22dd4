import { RefObject, useEffect, useRef, useState } from 'react';

/**
 * Chart colours. Series colours are CSS variables (`--jp-Conveyor-chart-color0..9`, set per
 * theme in style/experiments-charts.css); canvases read them (and `--jp-*` colours) when they
 * draw, and redraw when the theme changes.
 */
export const SERIES_COUNT = 10;

/** Fallbacks when a variable is not set (tests, a theme without our stylesheet). */
const FALLBACK = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac'
];

/** CSS colour of series i, for SVG (`stroke={seriesVar(i)}`). */
export function seriesVar(i: number): string {
  const k = ((i % SERIES_COUNT) + SERIES_COUNT) % SERIES_COUNT;
  return `var(--jp-Conveyor-chart-color${k}, ${FALLBACK[k]})`;
}

/** Resolved colours for a canvas drawn inside `element`. */
export interface ICanvasColors {
  series: string[];
  /** Low to high ends of the sequential scale (numeric `colorBy`). */
  low: string;
  high: string;
  faint: string;
  text: string;
  highlight: string;
}

export function readColors(element: Element | null): ICanvasColors {
  const style = element ? getComputedStyle(element) : null;
  const read = (name: string, fallback: string) =>
    style?.getPropertyValue(name).trim() || fallback;
  return {
    series: FALLBACK.map((f, i) => read(`--jp-Conveyor-chart-color${i}`, f)),
    low: read('--jp-Conveyor-chart-low', '#3b4cc0'),
    high: read('--jp-Conveyor-chart-high', '#f4a000'),
    faint: read('--jp-Conveyor-chart-faint', 'rgba(128,128,128,0.15)'),
    text: read('--jp-ui-font-color1', '#000'),
    highlight: read('--jp-brand-color1', '#1976d2')
  };
}

/** `#rgb`/`#rrggbb`/`rgb()` → [r, g, b]; grey when unparsable. */
export function parseColor(color: string): [number, number, number] {
  const hex = color.trim().match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, c => c + c) : hex[1];
    return [0, 2, 4].map(i => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  const rgb = color.match(/rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i);
  if (rgb) {
    return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  }
  return [128, 128, 128];
}

/** `steps` colours from `low` to `high` (for binning a numeric colour dimension). */
export function ramp(low: string, high: string, steps: number): string[] {
  const a = parseColor(low);
  const b = parseColor(high);
  return Array.from({ length: steps }, (_, i) => {
    const t = steps === 1 ? 0.5 : i / (steps - 1);
    const c = a.map((x, k) => Math.round(x + (b[k] - x) * t));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  });
}

/** A counter that changes when JupyterLab switches theme (canvases redraw on it). */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (typeof MutationObserver === 'undefined') {
      return;
    }
    const observer = new MutationObserver(() => setVersion(v => v + 1));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);
  return version;
}

/** Width of an element, following resizes (`fallback` until measured, and in jsdom). */
export function useWidth<T extends HTMLElement>(fallback: number): [RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(entries => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Size a canvas for the device pixel ratio and return its 2D context in CSS pixels. */
export function prepareCanvas(
  canvas: HTMLCanvasElement | null,
  width: number,
  height: number
): CanvasRenderingContext2D | null {
  if (!canvas) {
    return null;
  }
  const ratio = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext('2d');
  } catch {
    ctx = null; // jsdom without the canvas package
  }
  if (ctx) {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
  }
  return ctx;
}
