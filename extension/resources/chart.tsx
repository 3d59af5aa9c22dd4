import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { IUsageDay } from './view';

/**
 * Geometry of the usage chart: one bar per day's cost and a line of the month's running total,
 * both scaled to the larger of the total and the budget (so the budget line fits).
 */
export function usageGeometry(
  days: readonly IUsageDay[],
  budget: number | null,
  size = { width: 240, height: 80 }
): {
  bars: { x: number; y: number; width: number; height: number; day: IUsageDay }[];
  line: string;
  budgetY: number | null;
  max: number;
} {
  const total = days.reduce((sum, d) => sum + d.cost, 0);
  const max = Math.max(total, budget ?? 0, 1e-9);
  const slot = days.length ? size.width / days.length : size.width;
  const scale = (value: number) => size.height - (value / max) * size.height;
  let running = 0;
  const points: string[] = [];
  const bars = days.map((day, i) => {
    running += day.cost;
    points.push(`${(i * slot + slot / 2).toFixed(1)},${scale(running).toFixed(1)}`);
    const height = (day.cost / max) * size.height;
    return {
      x: i * slot + slot * 0.15,
      y: size.height - height,
      width: slot * 0.7,
      height,
      day
    };
  });
  return {
    bars,
    line: points.length ? `M${points.join(' L')}` : '',
    budgetY: budget ? scale(budget) : null,
    max
  };
}

/**
 * Plain SVG chart of this month's usage: daily cost bars, the running total and the budget.
 */
export function UsageChart({
  days,
  budget,
  format,
  trans
}: {
  days: readonly IUsageDay[];
  budget: number | null;
  format: (amount: number) => string;
  trans: TranslationBundle;
}): JSX.Element {
  const width = 240;
  const height = 80;
  if (days.length === 0) {
    return (
      <p className="jp-Conveyor-placeholder" data-testid="conveyor-usage-empty">
        {trans.__('No metered usage this month yet.')}
      </p>
    );
  }
  const g = usageGeometry(days, budget, { width, height });
  const total = days.reduce((sum, d) => sum + d.cost, 0);
  return (
    <svg
      className="jp-Conveyor-usageChart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={trans.__(
        'Usage over %1 days: %2 in total',
        days.length,
        format(total)
      )}
      data-testid="conveyor-usage-chart"
    >
      {g.bars.map(bar => (
        <rect
          key={bar.day.day}
          className="jp-Conveyor-usageBar"
          x={bar.x}
          y={bar.y}
          width={bar.width}
          height={bar.height}
        >
          <title>{`${bar.day.day}: ${format(bar.day.cost)}`}</title>
        </rect>
      ))}
      <path className="jp-Conveyor-usageLine" d={g.line} fill="none" />
      {g.budgetY !== null && (
        <line
          className="jp-Conveyor-usageBudget"
          x1={0}
          x2={width}
          y1={g.budgetY}
          y2={g.budgetY}
        >
          <title>{trans.__('Budget')}</title>
        </line>
      )}
    </svg>
  );
}
