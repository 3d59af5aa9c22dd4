import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import React from 'react';

import type { Run } from '../../schema/generated/api';
import type { Fetcher } from './model';
import { stripAnsi } from './format';

/**
 * The shape of `GET /runs/diff` as the view reads it. Provisional until the server's
 * schema/api/notebook-diff.json lands in schema/generated/api.d.ts.
 */
export interface IDiffAnswer {
  cells: Array<{
    status: 'added' | 'removed' | 'modified' | 'unchanged' | string;
    cellType?: string;
    a?: number | null;
    b?: number | null;
    source?: { hunks?: Array<{ header?: string; lines: string[] }> } | string[];
    outputs?: { changed?: boolean; a?: unknown[]; b?: unknown[] } | null;
  }>;
  params?: Array<{ name: string; a?: unknown; b?: unknown }>;
}

class DiffModel {
  readonly changed = new Signal<this, void>(this);
  diff: IDiffAnswer | null = null;
  error: string | null = null;
}

/**
 * Side-by-side summary of two runs' executed notebooks: parameters changed, then each cell with
 * its status, source hunks (+/- lines) and, collapsed, its outputs.
 */
export class NotebookDiffView extends MainAreaWidget<ReactWidget> {
  constructor(options: NotebookDiffView.IOptions) {
    const model = new DiffModel();
    const { a, b, trans } = options;
    const content = ReactWidget.create(
      <UseSignal signal={model.changed}>
        {() => <DiffBody model={model} trans={trans} a={a} b={b} />}
      </UseSignal>
    );
    super({ content });
    this.id = `jp-conveyor-diff-${a.id}-${b.id}`;
    this.addClass('jp-Conveyor-diffView');
    this.title.label = trans.__('Diff %1 ↔ %2', a.name, b.name);
    this.title.closable = true;
    void NotebookDiffView.load(options).then(
      diff => {
        model.diff = diff;
        model.changed.emit();
      },
      error => {
        model.error = error instanceof Error ? error.message : String(error);
        model.changed.emit();
      }
    );
  }
}

export namespace NotebookDiffView {
  export interface IOptions {
    a: Run;
    b: Run;
    requestAPI: Fetcher;
    trans: TranslationBundle;
  }

  /** Diff the first step the two runs share (a notebook run has one). */
  export async function load({ a, b, requestAPI }: IOptions): Promise<IDiffAnswer> {
    const steps = async (run: Run) =>
      run.steps?.length
        ? run.steps
        : (await requestAPI<Run>(`runs/${encodeURIComponent(run.id)}`)).steps;
    const [sa, sb] = await Promise.all([steps(a), steps(b)]);
    const shared = sa.find(s => sb.some(t => t.name === s.name));
    const stepA = shared?.name ?? sa[0]?.name;
    const stepB = shared?.name ?? sb[0]?.name;
    const q = new URLSearchParams({ a: `${a.id}/${stepA}`, b: `${b.id}/${stepB}` });
    return requestAPI<IDiffAnswer>(`runs/diff?${q}`);
  }
}

function DiffBody({
  model,
  trans,
  a,
  b
}: {
  model: DiffModel;
  trans: TranslationBundle;
  a: Run;
  b: Run;
}): JSX.Element {
  if (model.error) {
    return (
      <p className="jp-Conveyor-error" role="alert">
        {model.error}
      </p>
    );
  }
  const diff = model.diff;
  if (!diff) {
    return <p className="jp-Conveyor-placeholder">{trans.__('Comparing notebooks…')}</p>;
  }
  const changedCells = diff.cells.filter(c => c.status !== 'unchanged').length;
  return (
    <div className="jp-Conveyor-diff" data-testid="conveyor-diff">
      <header className="jp-Conveyor-diffHeader">
        <span className="jp-Conveyor-diffSide jp-mod-a">− {a.name}</span>
        <span className="jp-Conveyor-diffSide jp-mod-b">+ {b.name}</span>
        <span className="jp-Conveyor-runMeta">
          {trans.__('%1 of %2 cells changed', changedCells, diff.cells.length)}
        </span>
      </header>
      {diff.params && diff.params.length > 0 && (
        <section aria-label={trans.__('Parameters changed')}>
          <h3 className="jp-Conveyor-groupTitle">{trans.__('Parameters changed')}</h3>
          <table className="jp-Conveyor-table">
            <tbody>
              {diff.params.map(p => (
                <tr key={p.name}>
                  <th scope="row" className="jp-Conveyor-mono">
                    {p.name}
                  </th>
                  <td className="jp-Conveyor-diffDel jp-Conveyor-mono">{JSON.stringify(p.a)}</td>
                  <td className="jp-Conveyor-diffAdd jp-Conveyor-mono">{JSON.stringify(p.b)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {diff.cells.map((cell, i) => (
        <CellDiff key={i} cell={cell} trans={trans} />
      ))}
    </div>
  );
}

function hunksOf(cell: IDiffAnswer['cells'][number]): Array<{ header?: string; lines: string[] }> {
  const source = cell.source;
  if (!source) {
    return [];
  }
  return Array.isArray(source) ? [{ lines: source }] : (source.hunks ?? []);
}

function CellDiff({
  cell,
  trans
}: {
  cell: IDiffAnswer['cells'][number];
  trans: TranslationBundle;
}): JSX.Element {
  const index = cell.b ?? cell.a;
  return (
    <section
      className={`jp-Conveyor-diffCell jp-mod-${cell.status}`}
      data-status={cell.status}
    >
      <h4 className="jp-Conveyor-diffCellTitle">
        <span className={`jp-Conveyor-diffStatus jp-mod-${cell.status}`}>{cell.status}</span>
        {trans.__('Cell %1', index ?? '?')}
        {cell.cellType && <span className="jp-Conveyor-runMeta">{cell.cellType}</span>}
      </h4>
      {hunksOf(cell).map((hunk, h) => (
        <pre key={h} className="jp-Conveyor-diffHunk">
          {hunk.header && <div className="jp-Conveyor-diffHunkHeader">{hunk.header}</div>}
          {hunk.lines.map((line, l) => (
            <div
              key={l}
              className={
                line.startsWith('+')
                  ? 'jp-Conveyor-diffAdd'
                  : line.startsWith('-')
                    ? 'jp-Conveyor-diffDel'
                    : undefined
              }
            >
              {line || ' '}
            </div>
          ))}
        </pre>
      ))}
      {cell.outputs && cell.outputs.changed !== false && (cell.outputs.a || cell.outputs.b) && (
        <details className="jp-Conveyor-diffOutputs">
          <summary>{trans.__('Outputs changed')}</summary>
          <div className="jp-Conveyor-diffOutputsGrid">
            <pre className="jp-Conveyor-diffDel">{outputText(cell.outputs.a)}</pre>
            <pre className="jp-Conveyor-diffAdd">{outputText(cell.outputs.b)}</pre>
          </div>
        </details>
      )}
    </section>
  );
}

function outputText(outputs: unknown[] | undefined): string {
  return (outputs ?? [])
    .map(o => {
      const out = o as Record<string, any>;
      if (out.output_type === 'stream') {
        return [].concat(out.text).join('');
      }
      if (out.output_type === 'error') {
        return `${out.ename}: ${out.evalue}`;
      }
      const data = out.data?.['text/plain'];
      return data !== undefined ? [].concat(data).join('') : JSON.stringify(out);
    })
    .map(stripAnsi)
    .join('\n');
}
