import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { Brush, brushSelection, moveAxis, selectionMask } from './brush';
import { prepareCanvas, readColors, seriesVar, useThemeVersion, useWidth } from './palette';
import {
  colorDimension,
  colorGroups,
  groupColors,
  IDimension,
  nearestLine,
  placeDimensions
} from './parallelModel';
import { useStableArray } from './hooks';
import { byGroup, DRAG_BUDGET, ILineLayout, inFrame, strokeLines, thin } from './parallelDraw';
import { DataTable } from './table';
import { formatExact } from './values';

export interface IParallelCoordinatesProps {
  dimensions: IDimension[];
  /** The dimension colouring the lines: its index or label (default: the last one). */
  colorBy?: number | string;
  names: string[];
  /** Runs inside every brush (every run when no brush is left), when a brush changes. */
  onBrush?: (selectedIndices: number[]) => void;
  trans?: TranslationBundle;
  height?: number;
}

const MARGIN = { top: 40, right: 48, bottom: 16, left: 48 };
/** Missing values sit in a slot below each axis. */
const MISSING_GAP = 16;
const KEY_STEP = 0.05;

/**
 * Parallel coordinates on a canvas (10,000 runs stay fluid): one axis per dimension, a line per
 * run coloured by `colorBy`; drag on an axis (or use the arrow keys on a focused axis) to brush,
 * Shift+←/→ moves an axis, Escape clears its brush.
 */
export function ParallelCoordinates({
  dimensions: given,
  colorBy,
  names,
  onBrush,
  trans = nullTranslator.load('jupyterlab_conveyor'),
  height = 340
}: IParallelCoordinatesProps): JSX.Element {
  const [ref, width] = useWidth<HTMLDivElement>(720);
  const canvas = useRef<HTMLCanvasElement>(null);
  const background = useRef<HTMLCanvasElement>(null);
  const [dragging, setDragging] = useState(false);
  const theme = useThemeVersion();
  const dimensions = useStableArray(
    given,
    (a, b) => a.label === b.label && a.values === b.values
  ) as IDimension[];
  const dims = useMemo(() => placeDimensions(dimensions), [dimensions]);
  const count = names.length;
  const [order, setOrder] = useState<number[]>(() => dimensions.map((_, i) => i));
  const [brushes, setBrushes] = useState<(Brush | null)[]>([]);
  const [hover, setHover] = useState(-1);
  const drag = useRef<{ dim: number; start: number } | null>(null);

  // New dimensions: reset order and brushes.
  useEffect(() => {
    setOrder(dimensions.map((_, i) => i));
    setBrushes([]);
  }, [dimensions]);

  const anyMissing = dims.some(d => d.axis.missing > 0 || (d.axis.kind === 'numeric' && d.axis.nonFinite > 0));
  const gap = anyMissing ? MISSING_GAP : 0;
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom - gap);
  const shown = order.filter(d => d < dims.length);
  const xs = shown.map((_, k) => (shown.length > 1 ? (k * innerW) / (shown.length - 1) : innerW / 2));
  const toY = (p: number) => (Number.isNaN(p) ? innerH + gap : innerH * (1 - p));

  const colorDim = colorDimension(dims, colorBy);
  const groups = useMemo(() => colorGroups(dims[colorDim], count), [dims, colorDim, count]);
  const selected = useMemo(
    () => brushSelection(dims.map(d => d.positions), brushes, count),
    [dims, brushes, count]
  );
  const mask = useMemo(() => selectionMask(selected, count), [selected, count]);
  const filtering = brushes.some(Boolean);
  const everyRun = useMemo(() => Array.from({ length: count }, (_, i) => i), [count]);

  const layout: ILineLayout = { dims, shown, xs, toY };
  const canvasW = innerW + 2;
  const canvasH = innerH + gap + 4;

  // Background: every run, faint, while some brush filters (redrawn only when the layout changes).
  useEffect(
    () =>
      inFrame(() => {
        const ctx = prepareCanvas(background.current, canvasW, canvasH);
        if (!ctx || !filtering || shown.length === 0) return;
        ctx.translate(1, 1);
        ctx.lineWidth = 1;
        strokeLines(ctx, layout, everyRun, readColors(background.current).faint);
      }),
    // layout derives from the listed values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dims, order, canvasW, canvasH, filtering, theme, everyRun]
  );

  // Foreground: the selected runs in their colours; thinned while a brush is dragged.
  useEffect(
    () =>
      inFrame(() => {
        const ctx = prepareCanvas(canvas.current, canvasW, canvasH);
        if (!ctx || shown.length === 0) return;
        ctx.translate(1, 1);
        ctx.lineWidth = 1;
        const colors = readColors(canvas.current);
        const palette = groupColors(dims[colorDim], colors);
        const runs = dragging ? thin(selected, DRAG_BUDGET) : selected;
        ctx.globalAlpha = runs.length > 2000 ? 0.3 : runs.length > 300 ? 0.55 : 0.85;
        for (const [g, group] of byGroup(runs, groups)) {
          strokeLines(ctx, layout, group, g < 0 ? colors.faint : palette[g % palette.length]);
        }
      }),
    // layout derives from the listed values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dims, order, canvasW, canvasH, groups, selected, dragging, colorDim, theme]
  );

  const setBrush = (dim: number, brush: Brush | null, notify: boolean) => {
    const next = [...brushes];
    next[dim] = brush;
    setBrushes(next);
    if (notify) {
      onBrush?.(brushSelection(dims.map(d => d.positions), next, count));
    }
  };
  const posAt = (e: React.PointerEvent) => {
    const box = (e.currentTarget as Element).getBoundingClientRect();
    return Math.max(0, Math.min(1, 1 - (e.clientY - box.top) / innerH));
  };
  const onAxisKey = (e: React.KeyboardEvent, dim: number, k: number) => {
    const b = brushes[dim];
    if (e.shiftKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      e.preventDefault();
      setOrder(moveAxis(shown, k, e.key === 'ArrowLeft' ? k - 1 : k + 1));
      return;
    }
    let next: Brush | null | undefined;
    const [lo, hi] = b ? [Math.min(...b), Math.max(...b)] : [0.4, 0.6];
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const delta = e.key === 'ArrowUp' ? KEY_STEP : -KEY_STEP;
      next = b ? shift([lo, hi], delta) : [lo, hi];
    } else if (e.key === '+' || e.key === '=') {
      next = [Math.max(0, lo - KEY_STEP / 2), Math.min(1, hi + KEY_STEP / 2)];
    } else if (e.key === '-' && b) {
      next = hi - lo > KEY_STEP ? [lo + KEY_STEP / 2, hi - KEY_STEP / 2] : b;
    } else if ((e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') && b) {
      next = null;
    }
    if (next !== undefined) {
      e.preventDefault();
      setBrush(dim, next, true);
    }
  };

  const rows = useMemo(
    () => names.map((name, i) => ({ key: i, cells: [name, ...dimensions.map(d => d.values[i])] })),
    [names, dimensions]
  );
  const colorLegend = dims[colorDim];
  const hoverY = (d: number) => toY(dims[d].positions[hover]);

  return (
    <div className="jp-Conveyor-chart jp-Conveyor-parallel" data-testid="conveyor-parallel">
      <div className="jp-Conveyor-chartToolbar">
        <span className="jp-Conveyor-chartNote" aria-live="polite" data-testid="conveyor-parallel-count">
          {filtering
            ? trans.__('%1 of %2 runs selected', selected.length, count)
            : trans.__('%1 runs; drag on an axis to filter', count)}
        </span>
        {filtering && (
          <button
            className="jp-Button jp-mod-minimal jp-Conveyor-chartButton"
            onClick={() => {
              setBrushes([]);
              onBrush?.(brushSelection([], [], count));
            }}
            data-testid="conveyor-parallel-clear"
          >
            {trans.__('Clear filters')}
          </button>
        )}
        {colorLegend && (
          <span className="jp-Conveyor-chartLegendInline">
            {trans.__('colour: %1', colorLegend.label)}
            {colorLegend.axis.kind === 'numeric' ? (
              <>
                <span className="jp-Conveyor-mono">{formatExact(colorLegend.axis.min)}</span>
                <span className="jp-Conveyor-chartRamp" />
                <span className="jp-Conveyor-mono">{formatExact(colorLegend.axis.max)}</span>
              </>
            ) : (
              colorLegend.axis.categories.slice(0, 10).map((c, i) => (
                <span key={c} className="jp-Conveyor-chartLegendItem">
                  <span className="jp-Conveyor-chartSwatch" style={{ background: seriesVar(i) }} />
                  {c}
                </span>
              ))
            )}
          </span>
        )}
      </div>
      <div className="jp-Conveyor-chartArea" ref={ref} style={{ height }}>
        <canvas
          ref={background}
          className="jp-Conveyor-chartCanvas"
          style={{ left: MARGIN.left - 1, top: MARGIN.top - 1 }}
          aria-hidden="true"
        />
        <canvas
          ref={canvas}
          className="jp-Conveyor-chartCanvas"
          style={{ left: MARGIN.left - 1, top: MARGIN.top - 1 }}
          data-testid="conveyor-parallel-canvas"
          data-selected={selected.length}
        />
        <svg width={width} height={height} className="jp-Conveyor-chartSvg jp-Conveyor-chartOverlay">
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <rect
              x={-MARGIN.left}
              width={innerW + MARGIN.left + MARGIN.right}
              height={innerH + gap}
              fill="transparent"
              onMouseMove={e => {
                const box = e.currentTarget.getBoundingClientRect();
                const x = e.clientX - box.left - MARGIN.left;
                const y = e.clientY - box.top;
                setHover(nearestLine(dims, shown, xs, innerH, x, y, filtering ? mask : undefined));
              }}
              onMouseLeave={() => setHover(-1)}
            />
            {hover >= 0 && (
              <polyline
                className="jp-Conveyor-chartHoverLine"
                points={shown.map((d, k) => `${xs[k]},${hoverY(d)}`).join(' ')}
                fill="none"
              />
            )}
            {shown.map((d, k) => {
              const dim = dims[d];
              const b = brushes[d];
              const label = trans.__(
                'Axis %1 (%2); arrow keys brush, + and − resize, Escape clears, Shift+arrows move the axis',
                dim.label,
                dim.axis.kind === 'numeric' ? trans.__('numeric') : trans.__('categorical')
              );
              return (
                <g
                  key={d}
                  transform={`translate(${xs[k]},0)`}
                  className="jp-Conveyor-parallelAxis"
                  tabIndex={0}
                  role="group"
                  aria-label={label}
                  data-testid="conveyor-parallel-axis"
                  data-label={dim.label}
                  onKeyDown={e => onAxisKey(e, d, k)}
                >
                  <text className="jp-Conveyor-chartAxisLabel" y={-22} textAnchor="middle">
                    {fit(dim.label, xs.length > 1 ? innerW / (xs.length - 1) : innerW)}
                    <title>{dim.label}</title>
                  </text>
                  <line className="jp-Conveyor-chartAxis" y2={innerH} />
                  {dim.ticks.map(t => (
                    <g key={`${t.at}:${t.label}`} className="jp-Conveyor-chartTick" transform={`translate(0,${innerH * (1 - t.at)})`}>
                      <line x2={-4} />
                      <text x={-6} dy="0.32em" textAnchor="end">
                        {t.label}
                      </text>
                    </g>
                  ))}
                  {dim.axis.missing + (dim.axis.kind === 'numeric' ? dim.axis.nonFinite : 0) > 0 && (
                    <text className="jp-Conveyor-chartTick" x={-6} y={innerH + gap} dy="0.32em" textAnchor="end">
                      —
                    </text>
                  )}
                  {b && (
                    <rect
                      className="jp-Conveyor-brush"
                      x={-8}
                      width={16}
                      y={innerH * (1 - Math.max(...b))}
                      height={Math.max(1, innerH * Math.abs(b[1] - b[0]))}
                      data-testid="conveyor-parallel-brush"
                    />
                  )}
                  <rect
                    className="jp-Conveyor-brushTarget"
                    x={-12}
                    width={24}
                    height={innerH}
                    fill="transparent"
                    data-testid="conveyor-parallel-brush-target"
                    onPointerDown={e => {
                      e.currentTarget.setPointerCapture?.(e.pointerId);
                      drag.current = { dim: d, start: posAt(e) };
                      setDragging(true);
                    }}
                    onPointerMove={e => {
                      if (drag.current?.dim === d) {
                        setBrush(d, [drag.current.start, posAt(e)], false);
                      }
                    }}
                    onPointerCancel={() => {
                      drag.current = null;
                      setDragging(false);
                    }}
                    onPointerUp={e => {
                      const start = drag.current?.dim === d ? drag.current.start : null;
                      drag.current = null;
                      setDragging(false);
                      if (start === null) return;
                      const end = posAt(e);
                      // A click (no drag) clears the axis' brush.
                      setBrush(d, Math.abs(end - start) * innerH < 3 ? null : [start, end], true);
                    }}
                  />
                </g>
              );
            })}
          </g>
        </svg>
        {hover >= 0 && (
          <div
            className="jp-Conveyor-chartTooltip"
            role="status"
            data-testid="conveyor-parallel-tooltip"
            style={{ left: Math.max(0, width - 240), top: 0 }}
          >
            <div className="jp-Conveyor-chartTooltipTitle">{names[hover]}</div>
            {shown.map(d => (
              <div key={d} className="jp-Conveyor-chartTooltipRow">
                {dims[d].label}:{' '}
                <span className="jp-Conveyor-mono">{formatExact(dimensions[d].values[hover])}</span>
              </div>
            ))}
          </div>
        )}
      </div>
      <DataTable
        caption={trans.__('Parallel coordinates values')}
        columns={[trans.__('run'), ...dimensions.map(d => d.label)]}
        rows={rows}
        trans={trans}
      />
    </div>
  );
}

function shift([lo, hi]: [number, number], delta: number): Brush {
  const d = Math.max(-lo, Math.min(1 - hi, delta));
  return [lo + d, hi + d];
}

/** Cut a label to about the room between two axes (7 px a character). */
function fit(label: string, room: number): string {
  const max = Math.max(4, Math.floor(room / 7));
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}
