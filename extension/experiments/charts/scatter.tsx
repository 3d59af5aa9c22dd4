import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { PointIndex, placeAxis } from './axes';
import { prepareCanvas, readColors, useThemeVersion, useWidth } from './palette';
import { useStableArray } from './hooks';
import { DataTable } from './table';
import { formatExact, RawValue } from './values';

export interface IChartColumn {
  label: string;
  values: RawValue[];
}

export interface IScatterPlotProps {
  x: IChartColumn;
  y: IChartColumn;
  /** Run names, parallel to the values. */
  names: string[];
  /** Called with the index of the run clicked (or chosen with Enter). */
  onPick?: (index: number) => void;
  /** Indices drawn emphasised (e.g. the runs selected in the table). */
  selected?: readonly number[];
  trans?: TranslationBundle;
  height?: number;
}

const MARGIN = { top: 12, right: 16, bottom: 40, left: 64 };

/**
 * Runs as points of two columns (numeric or categorical axes) on a canvas, so 10,000 stay fluid;
 * hover names the run, click or Enter picks it; arrow keys walk the points from left to right.
 */
export function ScatterPlot({
  x,
  y,
  names,
  onPick,
  selected,
  trans = nullTranslator.load('jupyterlab_conveyor'),
  height = 320
}: IScatterPlotProps): JSX.Element {
  const [ref, width] = useWidth<HTMLDivElement>(600);
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useThemeVersion();
  const [hover, setHover] = useState<number>(-1);
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);

  const px = useMemo(() => placeAxis(x.values, 0, innerW), [x.values, innerW]);
  const py = useMemo(() => placeAxis(y.values, innerH, 0), [y.values, innerH]);
  const index = useMemo(() => new PointIndex(px.pixels, py.pixels), [px, py]);
  const order = useMemo(() => {
    const drawn: number[] = [];
    for (let i = 0; i < px.pixels.length; i++) {
      if (!Number.isNaN(px.pixels[i]) && !Number.isNaN(py.pixels[i])) drawn.push(i);
    }
    return drawn.sort((a, b) => px.pixels[a] - px.pixels[b] || py.pixels[b] - py.pixels[a]);
  }, [px, py]);
  const stableSelected = useStableArray(selected);
  const selectedSet = useMemo(() => new Set(stableSelected ?? []), [stableSelected]);

  useEffect(() => {
    const ctx = prepareCanvas(canvas.current, innerW, innerH);
    if (!ctx) return;
    const colors = readColors(canvas.current);
    const r = order.length > 2000 ? 2 : 3;
    ctx.globalAlpha = order.length > 2000 ? 0.55 : 0.8;
    ctx.fillStyle = colors.series[0];
    ctx.beginPath();
    for (const i of order) {
      ctx.moveTo(px.pixels[i] + r, py.pixels[i]);
      ctx.arc(px.pixels[i], py.pixels[i], r, 0, 2 * Math.PI);
    }
    ctx.fill();
    if (selectedSet.size) {
      ctx.globalAlpha = 1;
      ctx.fillStyle = colors.series[1];
      ctx.beginPath();
      for (const i of selectedSet) {
        if (Number.isNaN(px.pixels[i]) || Number.isNaN(py.pixels[i])) continue;
        ctx.moveTo(px.pixels[i] + r + 1, py.pixels[i]);
        ctx.arc(px.pixels[i], py.pixels[i], r + 1, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
  }, [px, py, order, innerW, innerH, theme, selectedSet]);

  const pointer = (e: React.MouseEvent) => {
    const box = (e.currentTarget as Element).getBoundingClientRect();
    return index.nearest(e.clientX - box.left, e.clientY - box.top);
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (!order.length) return;
    const at = order.indexOf(hover);
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
      e.preventDefault();
      setHover(order[Math.min(order.length - 1, at + 1)]);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      e.preventDefault();
      setHover(order[Math.max(0, at < 0 ? order.length - 1 : at - 1)]);
    } else if ((e.key === 'Enter' || e.key === ' ') && hover >= 0) {
      e.preventDefault();
      onPick?.(hover);
    } else if (e.key === 'Escape') {
      setHover(-1);
    }
  };

  const skipped = names.length - order.length;
  const hx = hover >= 0 ? px.pixels[hover] : NaN;
  const hy = hover >= 0 ? py.pixels[hover] : NaN;
  const rows = useMemo(
    () => names.map((name, i) => ({ key: i, cells: [name, x.values[i], y.values[i]] })),
    [names, x.values, y.values]
  );

  return (
    <div className="jp-Conveyor-chart jp-Conveyor-scatter" data-testid="conveyor-scatter">
      {skipped > 0 && (
        <div className="jp-Conveyor-chartToolbar">
          <span className="jp-Conveyor-chartNote">
            {trans.__('%1 runs without both values not drawn', skipped)}
          </span>
        </div>
      )}
      <div className="jp-Conveyor-chartArea" ref={ref} style={{ height }}>
        <canvas
          ref={canvas}
          className="jp-Conveyor-chartCanvas"
          style={{ left: MARGIN.left, top: MARGIN.top }}
          data-testid="conveyor-scatter-canvas"
          data-points={order.length}
        />
        <svg
          width={width}
          height={height}
          className="jp-Conveyor-chartSvg jp-Conveyor-chartOverlay"
          role="img"
          tabIndex={0}
          aria-label={trans.__(
            '%1 against %2 for %3 runs; arrow keys move between runs, Enter picks one',
            y.label,
            x.label,
            order.length
          )}
          onKeyDown={onKey}
        >
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <line className="jp-Conveyor-chartAxis" y1={innerH} y2={innerH} x2={innerW} />
            <line className="jp-Conveyor-chartAxis" y2={innerH} />
            {px.ticks.map(t => (
              <g key={`x${t.at}`} className="jp-Conveyor-chartTick" transform={`translate(${t.at},${innerH})`}>
                <line y2={4} />
                <text y={16} textAnchor="middle">
                  {t.label}
                </text>
              </g>
            ))}
            {py.ticks.map(t => (
              <g key={`y${t.at}`} className="jp-Conveyor-chartTick" transform={`translate(0,${t.at})`}>
                <line x2={-4} />
                <text x={-6} dy="0.32em" textAnchor="end">
                  {t.label}
                </text>
              </g>
            ))}
            <text className="jp-Conveyor-chartAxisLabel" x={innerW / 2} y={innerH + 34} textAnchor="middle">
              {x.label}
            </text>
            <text
              className="jp-Conveyor-chartAxisLabel"
              transform={`translate(${-MARGIN.left + 12},${innerH / 2}) rotate(-90)`}
              textAnchor="middle"
            >
              {y.label}
            </text>
            {hover >= 0 && !Number.isNaN(hx) && (
              <circle className="jp-Conveyor-chartHover" cx={hx} cy={hy} r={6} />
            )}
            <rect
              width={innerW}
              height={innerH}
              fill="transparent"
              className={hover >= 0 ? 'jp-Conveyor-chartPickable' : undefined}
              data-testid="conveyor-scatter-surface"
              onMouseMove={e => setHover(pointer(e))}
              onMouseLeave={() => setHover(-1)}
              onClick={e => {
                const i = pointer(e);
                if (i >= 0) onPick?.(i);
              }}
            />
          </g>
        </svg>
        {hover >= 0 && !Number.isNaN(hx) && (
          <div
            className="jp-Conveyor-chartTooltip"
            role="status"
            data-testid="conveyor-scatter-tooltip"
            style={{
              left: Math.min(MARGIN.left + hx + 12, Math.max(0, width - 220)),
              top: Math.max(0, MARGIN.top + hy - 40)
            }}
          >
            <div className="jp-Conveyor-chartTooltipTitle">{names[hover]}</div>
            <div className="jp-Conveyor-chartTooltipRow">
              {x.label}: <span className="jp-Conveyor-mono">{formatExact(x.values[hover])}</span>
            </div>
            <div className="jp-Conveyor-chartTooltipRow">
              {y.label}: <span className="jp-Conveyor-mono">{formatExact(y.values[hover])}</span>
            </div>
          </div>
        )}
      </div>
      <DataTable
        caption={trans.__('%1 against %2', y.label, x.label)}
        columns={[trans.__('run'), x.label, y.label]}
        rows={rows}
        trans={trans}
      />
    </div>
  );
}
