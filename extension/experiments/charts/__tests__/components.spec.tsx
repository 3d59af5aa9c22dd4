import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { MetricHistoryChart } from '../history';
import { ParallelCoordinates } from '../parallel';
import { ScatterPlot } from '../scatter';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

// jsdom has no canvas: the charts then draw only their SVG layers (what these tests read).
HTMLCanvasElement.prototype.getContext = (() => null) as any;

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const key = (el: Element, k: string, extra: Partial<KeyboardEventInit> = {}) =>
  act(() => {
    el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...extra }));
  });

describe('MetricHistoryChart', () => {
  const series = [
    { runId: 'r1', name: 'first', points: Array.from({ length: 5000 }, (_, i) => ({ step: i, value: 1 / (i + 1) })) },
    { runId: 'r2', name: 'second', points: [{ step: 0, value: 'NaN' }, { step: 10, value: 0.5 }] }
  ];

  it('draws a downsampled line per run, counts NaN, and shows exact values at the keyboard cursor', () => {
    act(() => root.render(<MetricHistoryChart series={series} metric="loss" />));
    const paths = container.querySelectorAll('path.jp-Conveyor-historyLine');
    expect(paths).toHaveLength(2);
    // 5,000 points drawn as at most ~4 per pixel column of a 600 px chart.
    const vertices = (paths[0].getAttribute('d') ?? '').split('L').length;
    expect(vertices).toBeLessThan(2200);
    expect(vertices).toBeGreaterThan(500);
    expect(container.querySelector('[data-testid="conveyor-history-skipped"]')?.textContent).toContain('1');

    const svg = container.querySelector('svg[role="img"]')!;
    expect(svg.getAttribute('aria-label')).toContain('loss');
    key(svg, 'Home');
    key(svg, 'ArrowRight');
    const tooltip = container.querySelector('[data-testid="conveyor-history-tooltip"]')!;
    expect(tooltip.textContent).toContain('step 1');
    expect(tooltip.textContent).toContain('0.5'); // first: 1/2 at step 1
    expect(tooltip.textContent).toContain('NaN @0'); // second: nearest logged step is 0
  });

  it('switches to a log scale', () => {
    act(() => root.render(<MetricHistoryChart series={series} metric="loss" />));
    const before = container.querySelector('path.jp-Conveyor-historyLine')!.getAttribute('d');
    const toggle = container.querySelector<HTMLInputElement>('[data-testid="conveyor-history-log"]')!;
    act(() => toggle.click());
    expect(toggle.checked).toBe(true);
    expect(container.querySelector('path.jp-Conveyor-historyLine')!.getAttribute('d')).not.toBe(before);
  });
});

describe('ScatterPlot', () => {
  it('walks the points with arrow keys, names the run and picks it with Enter', () => {
    const onPick = jest.fn();
    act(() =>
      root.render(
        <ScatterPlot
          x={{ label: 'params.opt', values: ['sgd', 'adam', 'adam', null] }}
          y={{ label: 'metrics.loss', values: [0.5, 0.2, 'Infinity', 0.1] }}
          names={['a', 'b', 'c', 'd']}
          onPick={onPick}
        />
      )
    );
    expect(container.textContent).toContain('2 runs without both values not drawn');
    const svg = container.querySelector('svg[role="img"]')!;
    key(svg, 'ArrowRight');
    const tooltip = container.querySelector('[data-testid="conveyor-scatter-tooltip"]')!;
    expect(tooltip.textContent).toContain('b');
    expect(tooltip.textContent).toContain('params.opt: adam');
    expect(tooltip.textContent).toContain('metrics.loss: 0.2');
    key(svg, 'Enter');
    expect(onPick).toHaveBeenCalledWith(1);
  });
});

describe('ParallelCoordinates', () => {
  it('brushes an axis from the keyboard and reports the runs inside', () => {
    const onBrush = jest.fn();
    const n = 10;
    act(() =>
      root.render(
        <ParallelCoordinates
          dimensions={[
            { label: 'lr', values: Array.from({ length: n }, (_, i) => i) },
            { label: 'opt', values: Array.from({ length: n }, (_, i) => (i % 2 ? 'adam' : 'sgd')) },
            { label: 'loss', values: Array.from({ length: n }, (_, i) => (i === 4 ? null : n - i)) }
          ]}
          colorBy="loss"
          names={Array.from({ length: n }, (_, i) => `run ${i}`)}
          onBrush={onBrush}
        />
      )
    );
    const axes = container.querySelectorAll('[data-testid="conveyor-parallel-axis"]');
    expect(Array.from(axes).map(a => a.getAttribute('data-label'))).toEqual(['lr', 'opt', 'loss']);
    // A new brush covers the middle fifth [0.4, 0.6] of lr (0..9): values 3.6..5.4 → runs 4 and 5.
    key(axes[0], 'ArrowUp');
    expect(onBrush).toHaveBeenLastCalledWith([4, 5]);
    expect(container.querySelector('[data-testid="conveyor-parallel-count"]')!.textContent).toBe(
      '2 of 10 runs selected'
    );
    // A brush on loss (run 4 has none) drops run 4.
    key(axes[2], 'ArrowUp');
    expect(onBrush).toHaveBeenLastCalledWith([5]);
    key(axes[2], 'Escape');
    expect(onBrush).toHaveBeenLastCalledWith([4, 5]);
    // Shift+→ moves lr after opt.
    key(axes[0], 'ArrowRight', { shiftKey: true });
    const order = Array.from(container.querySelectorAll('[data-testid="conveyor-parallel-axis"]')).map(a =>
      a.getAttribute('data-label')
    );
    expect(order).toEqual(['opt', 'lr', 'loss']);
    act(() => container.querySelector<HTMLButtonElement>('[data-testid="conveyor-parallel-clear"]')!.click());
    expect(onBrush).toHaveBeenLastCalledWith([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('ParallelCoordinates in a host that rebuilds its props', () => {
  it('keeps the brush when re-rendered with equal dimensions in a new array', () => {
    const lr = [1, 2, 3, 4, 5];
    const loss = [5, 4, 3, 2, 1];
    const names = ['a', 'b', 'c', 'd', 'e'];
    const render = () =>
      act(() =>
        root.render(
          <ParallelCoordinates
            dimensions={[
              { label: 'lr', values: lr },
              { label: 'loss', values: loss }
            ]}
            names={names}
          />
        )
      );
    render();
    key(container.querySelector('[data-testid="conveyor-parallel-axis"]')!, 'ArrowUp');
    expect(container.querySelectorAll('[data-testid="conveyor-parallel-brush"]')).toHaveLength(1);
    render();
    expect(container.querySelectorAll('[data-testid="conveyor-parallel-brush"]')).toHaveLength(1);
    expect(container.querySelector('[data-testid="conveyor-parallel-count"]')!.textContent).toBe(
      '1 of 5 runs selected'
    );
  });
});
