import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffNotebooks, summarizeOutputs } from '../../src/notebooks/diff';

type Cell = { id?: string; type?: 'code' | 'markdown' | 'raw'; src: string; tags?: string[]; outputs?: unknown[]; meta?: Record<string, unknown> };
const nb = (cells: Cell[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: cells.map(c => ({
    ...(c.id ? { id: c.id } : {}),
    cell_type: c.type ?? 'code',
    source: c.src,
    metadata: { ...(c.tags ? { tags: c.tags } : {}), ...(c.meta ?? {}) },
    ...((c.type ?? 'code') === 'code' ? { outputs: c.outputs ?? [], execution_count: null } : {})
  }))
});
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const brief = (d: ReturnType<typeof diffNotebooks>) => d.cells.map(c => `${c.status}:${c.a ?? '-'}>${c.b ?? '-'}`);

describe('diffNotebooks', () => {
  it('finds added, removed and modified cells by id', () => {
    const a = nb([{ id: 'h', type: 'markdown', src: '# Title' }, { id: 'x', src: 'x = 1\ny = 2' }, { id: 'gone', src: 'print(1)' }]);
    const b = nb([{ id: 'h', type: 'markdown', src: '# Title' }, { id: 'x', src: 'x = 1\ny = 3' }, { id: 'new', src: 'print(2)' }]);
    const d = diffNotebooks(a, b);
    expect(brief(d)).toEqual(['unchanged:0>0', 'modified:1>1', 'removed:2>-', 'added:->2']);
    expect(d.cells[1].source).toEqual([
      { op: 'equal', lines: ['x = 1'] },
      { op: 'delete', lines: ['y = 2'] },
      { op: 'insert', lines: ['y = 3'] }
    ]);
    expect(d.cells[3].source).toEqual([{ op: 'insert', lines: ['print(2)'] }]);
    expect(d.cells[0]).toMatchObject({ cellType: 'markdown', kind: 'markdown' });
    expect(d.summary).toEqual({ added: 1, removed: 1, modified: 1, moved: 0, unchanged: 1 });
  });

  it('reports a cell that changed position as moved', () => {
    const cells = [
      { id: 'a', src: 'a()' },
      { id: 'b', src: 'b()' },
      { id: 'c', src: 'c()' }
    ];
    const d = diffNotebooks(nb(cells), nb([cells[2], cells[0], cells[1]]));
    expect(brief(d)).toEqual(['moved:2>0', 'unchanged:0>1', 'unchanged:1>2']);
    expect(d.summary.moved).toBe(1);
  });

  it('aligns cells without ids by source, pairing edited cells as modified', () => {
    const a = nb([{ src: 'import os' }, { src: 'x = 1' }, { type: 'markdown', src: 'notes' }, { src: 'plot()' }]);
    const b = nb([{ src: 'import os' }, { src: 'x = 2' }, { src: 'plot()' }, { src: 'extra()' }]);
    expect(brief(diffNotebooks(a, b))).toEqual(['unchanged:0>0', 'modified:1>1', 'removed:2>-', 'unchanged:3>2', 'added:->3']);
  });

  it('flags changed outputs and summarizes text, streams, errors and images', () => {
    const png = Buffer.alloc(70, 1).toString('base64');
    const a = nb([{ id: 'p', src: 'show()', outputs: [{ output_type: 'stream', name: 'stdout', text: ['loss 0.5\n'] }] }]);
    const b = nb([
      {
        id: 'p',
        src: 'show()',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'loss 0.3\n' },
          { output_type: 'display_data', data: { 'image/png': png, 'text/plain': '<Figure>' }, metadata: {} },
          { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: [] }
        ]
      }
    ]);
    const [cell] = diffNotebooks(a, b).cells;
    expect(cell).toMatchObject({ status: 'modified', outputsChanged: true, outputs: { a: ['loss 0.5'], b: ['loss 0.3', '<image/png 70 bytes>', '<Figure>', 'ValueError: bad'] } });
    expect(summarizeOutputs([{ output_type: 'execute_result', data: { 'text/html': '<b>x</b>' } }])).toEqual(['<text/html 8 bytes>']);
  });

  it('ignores volatile metadata but reports other metadata changes', () => {
    const a = nb([{ id: 'x', src: 'x', meta: { papermill: { duration: 1 }, execution: { t: 1 } } }, { id: 'y', src: 'y', meta: { tags: ['a'] } }]);
    const b = nb([{ id: 'x', src: 'x', meta: { papermill: { duration: 2 } } }, { id: 'y', src: 'y', meta: { tags: ['b'] } }]);
    expect(diffNotebooks(a, b).cells.map(c => [c.status, c.metadataChanged])).toEqual([
      ['unchanged', false],
      ['unchanged', true]
    ]);
  });

  it('compares the parameters of two papermill-executed notebooks', () => {
    const d = diffNotebooks(fixture('executed-a.ipynb'), fixture('executed-b.ipynb'));
    expect(d.params.changed).toEqual(['lr', 'model_out']);
    expect(d.params.a).toMatchObject({ lr: 0.01, epochs: 100, model_out: 'model-a.json' });
    expect(d.params.b).toMatchObject({ lr: 0.1, epochs: 100, model_out: 'model-b.json' });
    const injected = d.cells.find(c => c.kind === 'injected-parameters')!;
    expect(injected).toMatchObject({ status: 'modified' });
    expect(injected.a).toBeDefined();
    expect(injected.b).toBeDefined();
    expect(d.cells.find(c => c.kind === 'parameters')!.status).toBe('unchanged');
    expect(d.summary.added + d.summary.removed).toBe(0);
    expect(d.cells.filter(c => c.outputsChanged).length).toBeGreaterThan(0);
  });

  it('finds no change between a notebook and itself', () => {
    const a = fixture('executed-a.ipynb');
    const d = diffNotebooks(a, a);
    expect(d.summary).toEqual({ added: 0, removed: 0, modified: 0, moved: 0, unchanged: a.cells.length });
    expect(d.params.changed).toEqual([]);
  });

  it.each([[{}], [{ nbformat: 3, cells: [] }], ['text']])('refuses %j as invalid_notebook', bad => {
    expect(() => diffNotebooks(bad, nb([]))).toThrow(expect.objectContaining({ status: 400, code: 'invalid_notebook' }));
    expect(() => diffNotebooks(nb([]), bad)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_notebook' }));
  });
});
