import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import React, { useMemo, useState } from 'react';

import { downsample, IPoint, nearestIndex, sortByStep } from './downsample';
import { seriesVar, useWidth } from './palette';
import { formatTick, IScale, linearScale, logScale, niceDomain } from './scales';
import { DataTable } from './table';
import { RawValue, toNumber } from './values';

export interface IMetricSeries {
  runId: string;
  name: string;
  /** Values may be NaN/±Inf (numbers, or MLflow's strings); they break the line. */
  points: { step: number; value: number | string }[];
}

export interface IMetricHistoryChartProps {
  series: IMetricSeries[];
  metric: string;
  trans?: TranslationBundle;
  height?: number;
}

const MARGIN = { top: 12, right: 16, bottom: 28, left: 56 };

interface IPrepared {
  runId: string;
  name: string;
  points: IPoint[];
  nonFinite: number;
}

/** Series with numeric values sorted by step; counts the NaN/±Inf points. */
export function prepareSeries(series: readonly IMetricSeries[]): IPrepared[] {
  return series.map(s => {
    const points = sortByStep(
      s.points.map(p => ({ step: p.step, value: toNumber(p.value as RawValue) ?? NaN }))
    );
    const nonFinite = points.filter(p => !Number.isFinite(p.value)).length;
    return { runId: s.runId, name: s.name, points, nonFinite };
  });
}

/** Step and value extents over every drawable point. */
export function extents(series: readonly IPrepared[], log: boolean) {
  let minStep = Infinity;
  let maxStep = -Infinity;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (p.step < minStep) minStep = p.step;
      if (p.step > maxStep) maxStep = p.step;
      if (Number.isFinite(p.value) && (!log || p.value > 0)) {
        if (p.value < minValue) minValue = p.value;
        if (p.value > maxValue) maxValue = p.value;
      }
    }
  }
  return { minStep, maxStep, minValue, maxValue };
}

/**
 * Lines of one metric over steps, one per run: legend, hover/keyboard cursor with exact values,
 * log scale, NaN/±Inf left out (and counted), thousands of points downsampled per pixel.
 */
export function MetricHistoryChart({
  series,
  metric,
  trans = nullTranslator.load('jupyterlab_conveyor'),
  height = 260
}: IMetricHistoryChartProps): JSX.Element {
  const [ref, width] = useWidth<HTMLDivElement>(600);
  const [log, setLog] = useState(false);
  const [cursor, setCursor] = useState<number | null>(null);
  const prepared = useMemo(() => prepareSeries(series), [series]);
  const hasPositive = useMemo(
    () => prepared.some(s => s.points.some(p => p.value > 0 && Number.isFinite(p.value))),
    [prepared]
  );
  const useLog = log && hasPositive;
  const ext = useMemo(() => extents(prepared, useLog), [prepared, useLog]);
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const empty = !Number.isFinite(ext.minValue);

  const x = useMemo(
    () =>
      linearScale(
        Number.isFinite(ext.minStep) ? [ext.minStep, Math.max(ext.maxStep, ext.minStep)] : [0, 1],
        [0, innerW]
      ),
    [ext, innerW]
  );
  const y: IScale = useMemo(() => {
    if (empty) return linearScale([0, 1], [innerH, 0]);
    return useLog
      ? logScale([ext.minValue, ext.maxValue], [innerH, 0])
      : linearScale(niceDomain(ext.minValue, ext.maxValue), [innerH, 0]);
  }, [ext, innerH, useLog, empty]);

  const paths = useMemo(
    () =>
      prepared.map(s =>
        downsample(s.points, innerW, {
          minStep: ext.minStep,
          maxStep: ext.maxStep,
          log: useLog
        })
          .map(seg =>
            seg.length === 1
              ? `M${x(seg[0].step) - 1.5},${y(seg[0].value)}h3`
              : 'M' + seg.map(p => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join('L')
          )
          .join('')
      ),
    [prepared, innerW, ext, useLog, x, y]
  );

  // Every logged step, for the keyboard cursor.
  const steps = useMemo(() => {
    const all = new Set<number>();
    prepared.forEach(s => s.points.forEach(p => all.add(p.step)));
    return [...all].sort((a, b) => a - b).map(step => ({ step }));
  }, [prepared]);
  const tableRows = useMemo(
    () =>
      prepared.flatMap(s =>
        s.points.map((p, j) => ({ key: `${s.runId}:${j}`, cells: [s.name, p.step, p.value] }))
      ),
    [prepared]
  );

  const cursorStep = cursor === null ? null : steps[Math.min(cursor, steps.length - 1)]?.step;
  const hover =
    cursorStep === null || cursorStep === undefined
      ? null
      : prepared.map(s => {
          const i = nearestIndex(s.points, cursorStep);
          return i < 0 ? null : s.points[i];
        });

  const onMove = (e: React.MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const step = x.invert(e.clientX - box.left);
    const i = nearestIndex(steps, step);
    setCursor(i < 0 ? null : i);
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (!steps.length) return;
    const last = steps.length - 1;
    const jump = Math.max(1, Math.round(steps.length / 20));
    const moves: Record<string, number> = {
      ArrowRight: (cursor ?? -1) + 1,
      ArrowLeft: (cursor ?? last + 1) - 1,
      PageUp: (cursor ?? 0) + jump,
      PageDown: (cursor ?? last) - jump,
      Home: 0,
      End: last
    };
    if (e.key in moves) {
      e.preventDefault();
      setCursor(Math.max(0, Math.min(last, moves[e.key])));
    } else if (e.key === 'Escape') {
      setCursor(null);
    }
  };

  const totalPoints = prepared.reduce((n, s) => n + s.points.length, 0);
  const skipped = prepared.reduce((n, s) => n + s.nonFinite, 0);
  const label = trans.__(
    'History of %1 for %2 runs, %3 points; arrow keys move the cursor',
    metric,
    prepared.length,
    totalPoints
  );
  const cursorX = cursorStep === null || cursorStep === undefined ? null : x(cursorStep);

  return (
    <div className="jp-Conveyor-chart jp-Conveyor-historyChart" data-testid="conveyor-history-chart">
      <div className="jp-Conveyor-chartToolbar">
        <span className="jp-Conveyor-chartTitle">{metric}</span>
        <label className="jp-Conveyor-chartOption">
          <input
            type="checkbox"
            checked={useLog}
            disabled={!hasPositive}
            onChange={e => setLog(e.currentTarget.checked)}
            data-testid="conveyor-history-log"
          />
          {trans.__('Log scale')}
        </label>
        {skipped > 0 && (
          <span className="jp-Conveyor-chartNote" data-testid="conveyor-history-skipped">
            {trans.__('%1 NaN/Inf values not drawn', skipped)}
          </span>
        )}
      </div>
      <div className="jp-Conveyor-chartArea" ref={ref}>
        <svg
          width={width}
          height={height}
          role="img"
          tabIndex={0}
          aria-label={label}
          onKeyDown={onKey}
          className="jp-Conveyor-chartSvg"
        >
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            {y.ticks(5).map(t => (
              <g key={`y${t}`} className="jp-Conveyor-chartTick" transform={`translate(0,${y(t)})`}>
                <line x2={innerW} className="jp-Conveyor-chartGrid" />
                <text x={-6} dy="0.32em" textAnchor="end">
                  {formatTick(t)}
                </text>
              </g>
            ))}
            {x.ticks(Math.max(2, Math.floor(innerW / 80))).map(t => (
              <g key={`x${t}`} className="jp-Conveyor-chartTick" transform={`translate(${x(t)},${innerH})`}>
                <line y2={4} />
                <text y={16} textAnchor="middle">
                  {formatTick(t)}
                </text>
              </g>
            ))}
            <line className="jp-Conveyor-chartAxis" y1={innerH} y2={innerH} x2={innerW} />
            {paths.map((d, i) => (
              <path
                key={prepared[i].runId}
                d={d}
                fill="none"
                stroke={seriesVar(i)}
                className="jp-Conveyor-historyLine"
                data-run={prepared[i].runId}
              />
            ))}
            {cursorX !== null && (
              <line className="jp-Conveyor-chartCursor" x1={cursorX} x2={cursorX} y2={innerH} />
            )}
            {hover?.map((p, i) =>
              p && Number.isFinite(p.value) && (!useLog || p.value > 0) ? (
                <circle key={i} cx={x(p.step)} cy={y(p.value)} r={3.5} fill={seriesVar(i)} />
              ) : null
            )}
            <rect
              width={innerW}
              height={innerH}
              fill="transparent"
              onMouseMove={onMove}
              onMouseLeave={() => setCursor(null)}
            />
          </g>
        </svg>
        {empty && (
          <p className="jp-Conveyor-placeholder jp-Conveyor-chartEmpty">
            {trans.__('No finite values of %1 to draw.', metric)}
          </p>
        )}
        {hover && cursorX !== null && (
          <div
            className="jp-Conveyor-chartTooltip"
            role="status"
            data-testid="conveyor-history-tooltip"
            style={{
              left: Math.min(MARGIN.left + cursorX + 12, Math.max(0, width - 220)),
              top: MARGIN.top
            }}
          >
            <div className="jp-Conveyor-chartTooltipTitle">{trans.__('step %1', cursorStep ?? '')}</div>
            {hover.map((p, i) => (
              <div key={prepared[i].runId} className="jp-Conveyor-chartTooltipRow">
                <span className="jp-Conveyor-chartSwatch" style={{ background: seriesVar(i) }} />
                <span className="jp-Conveyor-chartTooltipName">{prepared[i].name}</span>
                <span className="jp-Conveyor-mono">
                  {p ? `${formatValue(p.value)}${p.step !== cursorStep ? ` @${p.step}` : ''}` : '—'}
                </span>
              </div>
            ))}
          </div>
        )}
      </div>
      <ul className="jp-Conveyor-chartLegend" aria-label={trans.__('Legend')}>
        {prepared.map((s, i) => {
          const lastPoint = s.points[s.points.length - 1];
          return (
            <li key={s.runId} title={s.runId}>
              <span className="jp-Conveyor-chartSwatch" style={{ background: seriesVar(i) }} />
              {s.name}
              {lastPoint && (
                <span className="jp-Conveyor-mono jp-Conveyor-chartLegendValue">
                  {formatValue(lastPoint.value)}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <DataTable
        caption={trans.__('Values of %1', metric)}
        columns={[trans.__('run'), trans.__('step'), metric]}
        rows={tableRows}
        trans={trans}
      />
    </div>
  );
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}
