import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { LineageGraph, layoutLineage } from '../lineage';
import { TablePreview } from '../preview';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');
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

const lineage = {
  producedBy: [{ runId: 'run-prep', step: 'prep', output: 'clean' }],
  readBy: [
    { runId: 'run-a', step: 'train', input: 'data' },
    { runId: 'run-b', step: 'eval', input: 'data' }
  ],
  hiddenRuns: 1
};

describe('LineageGraph', () => {
  it('puts producers left of the version and readers right of it, one edge each', () => {
    const layout = layoutLineage(lineage);
    const x = (kind: string) => layout.nodes.filter(n => n.kind === kind).map(n => n.x);
    expect(Math.max(...x('producer'))).toBeLessThan(x('version')[0]);
    expect(Math.min(...x('reader'))).toBeGreaterThan(x('version')[0]);
    expect(layout.edges.map(e => [e.from.split(':')[0], e.to.split(':')[0]])).toEqual([
      ['p', 'version'],
      ['version', 'r'],
      ['version', 'r']
    ]);
  });

  it('opens a run by click or keyboard, labels every run with its role, and counts hidden runs', () => {
    const opened: string[] = [];
    act(() =>
      root.render(
        <LineageGraph lineage={lineage} versionLabel="churn@aaaaaaaaaaaa" trans={trans} onOpenRun={id => opened.push(id)} />
      )
    );
    const runs = [...container.querySelectorAll('[role="button"]')];
    expect(runs.map(r => r.getAttribute('aria-label'))).toEqual([
      'Open Run run-prep (produced it)',
      'Open Run run-a (read it)',
      'Open Run run-b (read it)'
    ]);
    act(() => (runs[1] as SVGElement).dispatchEvent(new MouseEvent('click', { bubbles: true })));
    act(() => {
      runs[2].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    });
    expect(opened).toEqual(['run-a', 'run-b']);
    expect(container.textContent).toContain('And 1 run of another user you cannot open.');
  });

  it('shows runs as plain labelled nodes when no command can open them', () => {
    act(() => root.render(<LineageGraph lineage={lineage} versionLabel="v" trans={trans} onOpenRun={null} />));
    expect(container.querySelectorAll('[role="button"]')).toHaveLength(0);
    expect(container.querySelectorAll('[role="img"]')).toHaveLength(3);
  });
});

describe('TablePreview', () => {
  it('shows the schema with the statistics the server sent and the first rows in schema order', () => {
    const preview = {
      schema: [
        { name: 'id', type: 'BIGINT' },
        { name: 'city', type: 'VARCHAR' }
      ],
      rowCount: 1200,
      stats: [
        { name: 'id', type: 'BIGINT', nulls: 0, distinct: 1200, min: 1, max: 1200, mean: 600.5 },
        { name: 'city', type: 'VARCHAR', nulls: 3, distinct: 40, min: 'Aix', max: 'Zug' }
      ],
      rows: [{ city: 'Bern', id: 1 }]
    };
    act(() => root.render(<TablePreview preview={preview} trans={trans} />));
    const header = [...container.querySelectorAll('table')[0].querySelectorAll('thead th')].map(th => th.textContent);
    expect(header).toEqual(['Column', 'Type', 'nulls', 'distinct', 'min', 'max', 'mean']);
    const city = container.querySelector('tr[data-column="city"]')!;
    expect([...city.children].map(c => c.textContent)).toEqual(['city', 'VARCHAR', '3', '40', 'Aix', 'Zug', '']);
    const rows = container.querySelector('[data-testid="conveyor-dataset-rows"] tbody tr')!;
    expect([...rows.children].map(c => c.textContent)).toEqual(['1', 'Bern']);
    expect(container.textContent).toContain('1200 rows');
  });
});
