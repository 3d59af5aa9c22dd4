import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { CandidateCompare } from '../candidates';
import { bestOf, CandidateRun, compareRows, lowerIsBetter } from '../rows';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

function run(
  id: string,
  params: Record<string, string>,
  metrics: Record<string, [number | string, number | string | null, number | string | null]>,
  extra: Partial<CandidateRun> = {}
): CandidateRun {
  return {
    run: {
      runId: id.padEnd(32, '0'),
      experimentId: '1',
      experimentName: 'mnist',
      name: `run-${id}`,
      status: 'FINISHED',
      owner: 'ada',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_012_000,
      lifecycleStage: 'active',
      artifactUri: `mlflow-artifacts:/1/${id}/artifacts`,
      candidate: true,
      params,
      metrics: Object.fromEntries(
        Object.entries(metrics).map(([k, [value, min, max]]) => [k, { value, min, max, step: 1, timestamp: 1, count: 3 }])
      ),
      tags: { 'conveyor.candidate': 'true', team: 'vision' }
    },
    artifacts: [],
    lineage: {
      conveyorRunId: null,
      step: null,
      notebookHash: 'abc',
      gitCommit: null,
      imageDigest: null,
      profile: null,
      cost: null,
      datasets: [],
      user: 'ada'
    },
    ...extra
  };
}

const a = run('a', { lr: '0.1', opt: 'adam' }, { loss: [0.3, 0.2, 0.9], accuracy: [0.91, 0.5, 0.93] });
const b = run('b', { lr: '0.01', opt: 'adam' }, { loss: [0.25, 0.25, 1.1], accuracy: [0.88, 0.4, 0.9] }, {
  models: [{ name: 'mnist-cnn', version: 3, aliases: ['champion'] }]
});
const c = run('c', { lr: '0.1', opt: 'adam', epochs: '5' }, { loss: ['NaN', null, null] });

describe('compareRows', () => {
  const rows = compareRows([a, b, c]);
  const row = (section: string, key: string) => rows.find(r => r.section === section && r.key === key)!;

  it('marks rows that differ between runs, a missing entry included', () => {
    expect(row('params', 'lr').differs).toBe(true);
    expect(row('params', 'opt').differs).toBe(false);
    expect(row('params', 'epochs').cells).toEqual([null, null, '5']);
    expect(row('params', 'epochs').differs).toBe(true);
    expect(row('tags', 'team').differs).toBe(false);
    expect(rows.some(r => r.key === 'conveyor.candidate')).toBe(false);
    expect(row('run', 'duration (s)').cells).toEqual(['12', '12', '12']);
  });

  it('marks the best latest value per metric, lower for losses and higher otherwise, NaN never', () => {
    expect(row('metrics', 'loss').best).toEqual([1]);
    expect(row('metrics', 'loss').cells).toEqual(['0.3', '0.25', 'NaN']);
    expect(row('metrics', 'accuracy').best).toEqual([0]);
    expect(row('metrics', 'loss (min)').best).toEqual([0]);
    expect(row('metrics', 'accuracy (max)').best).toEqual([0]);
    expect(lowerIsBetter('val_loss')).toBe(true);
    expect(lowerIsBetter('f1')).toBe(false);
    expect(bestOf([1, 1], false)).toEqual([]);
    expect(bestOf([2, '2', 1], false)).toEqual([0, 1]);
  });

  it('lists registered model versions when the payload has them', () => {
    expect(row('models', 'registered versions').cells).toEqual([null, 'mnist-cnn v3 (@champion)', null]);
    expect(compareRows([a, c]).some(r => r.section === 'models')).toBe(false);
  });
});

describe('CandidateCompare', () => {
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

  it('highlights differing rows, stars the best value and hides equal rows on "Only differing"', () => {
    act(() => root.render(<CandidateCompare runs={[a, b]} />));
    const rows = () => Array.from(container.querySelectorAll('[data-testid="conveyor-candidates-row"]'));
    const lr = rows().find(r => r.getAttribute('data-key') === 'lr')!;
    expect(lr.classList.contains('jp-mod-differs')).toBe(true);
    const loss = rows().find(r => r.getAttribute('data-key') === 'loss')!;
    const cells = loss.querySelectorAll('td');
    expect(cells[1].getAttribute('data-best')).toBe('true');
    expect(cells[0].getAttribute('data-best')).toBeNull();
    expect(rows().some(r => r.getAttribute('data-key') === 'opt')).toBe(true);

    const toggle = container.querySelector<HTMLInputElement>(
      '[data-testid="conveyor-candidates-only-differing"]'
    )!;
    act(() => toggle.click());
    const keys = rows().map(r => r.getAttribute('data-key'));
    expect(keys).toContain('lr');
    expect(keys).not.toContain('opt');
    expect(keys).not.toContain('team');
    expect(container.textContent).toContain('mnist-cnn v3');
  });
});
