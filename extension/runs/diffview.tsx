import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import React from 'react';

import type { NotebookDiff, Run } from '../../schema/generated/api';
import type { Fetcher } from './model';
import { stripAnsi } from './format';

type IDiffAnswer = NotebookDiff;
type CellDiffData = NotebookDiff['cells'][number];

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
    this.title.caption = trans.__('Diff of run %1 and run %2', a.id, b.id);
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
  /** One side of the diff: a pipeline run, or anything else with an id, a name and params. */
  export type ISide = Pick<Run, 'id' | 'name'> & Partial<Pick<Run, 'params' | 'steps'>>;

  export interface IOptions {
    a: ISide;
    b: ISide;
    requestAPI: Fetcher;
    trans: TranslationBundle;
    /** Fetch the diff; default: the runs API's diff of the first step both runs share. */
    fetchDiff?: () => Promise<IDiffAnswer>;
  }

  /** Diff the first step the two runs share (a notebook run has one). */
  export async function load({ a, b, requestAPI, fetchDiff }: IOptions): Promise<IDiffAnswer> {
    if (fetchDiff) {
      return fetchDiff();
    }
    const steps = async (run: ISide) =>
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
  a: NotebookDiffView.ISide;
  b: NotebookDiffView.ISide;
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
  const { summary } = diff;
  return (
    <div className="jp-Conveyor-diff" data-testid="conveyor-diff">
      <header className="jp-Conveyor-diffHeader">
        <RunSide run={a} side="a" />
        <RunSide run={b} side="b" />
        <span className="jp-Conveyor-runMeta">
          {trans.__(
            '%1 modified, %2 added, %3 removed, %4 moved, %5 unchanged',
            summary.modified,
            summary.added,
            summary.removed,
            summary.moved,
            summary.unchanged
          )}
        </span>
      </header>
      {diff.params.changed.length > 0 && (
        <section aria-label={trans.__('Parameters changed')} data-testid="conveyor-diff-params">
          <h3 className="jp-Conveyor-groupTitle">{trans.__('Parameters changed')}</h3>
          <table className="jp-Conveyor-table">
            <tbody>
              {diff.params.changed.map(name => (
                <tr key={name}>
                  <th scope="row" className="jp-Conveyor-mono">
                    {name}
                  </th>
                  <td className="jp-Conveyor-diffDel jp-Conveyor-mono">
                    {show((diff.params.a as Record<string, unknown>)[name])}
                  </td>
                  <td className="jp-Conveyor-diffAdd jp-Conveyor-mono">
                    {show((diff.params.b as Record<string, unknown>)[name])}
                  </td>
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

/**
 * One side of the comparison: the name, then what tells two runs of one notebook apart — their
 * parameters and id.
 */
function RunSide({ run, side }: { run: NotebookDiffView.ISide; side: 'a' | 'b' }): JSX.Element {
  const params = Object.entries(run.params ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return (
    <span
      className={`jp-Conveyor-diffSide jp-mod-${side} ${side === 'a' ? 'jp-Conveyor-diffDel' : 'jp-Conveyor-diffAdd'}`}
      data-testid={`conveyor-diff-side-${side}`}
    >
      {side === 'a' ? '−' : '+'} {run.name}
      {params && <span className="jp-Conveyor-mono"> ({params})</span>}
      <span className="jp-Conveyor-diffRunId jp-Conveyor-mono">{run.id}</span>
    </span>
  );
}

/** The first non-empty source line, so an unchanged cell can be recognised without its body. */
function firstLine(cell: CellDiffData): string {
  const line = cell.source
    .flatMap(h => h.lines)
    .map(l => l.replace(/\n$/, ''))
    .find(l => l.trim() !== '');
  return line ?? '';
}

function show(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value);
}

const PREFIX = { equal: ' ', insert: '+', delete: '-' } as const;
const LINE_CLASS = { equal: undefined, insert: 'jp-Conveyor-diffAdd', delete: 'jp-Conveyor-diffDel' };

function CellDiff({ cell, trans }: { cell: CellDiffData; trans: TranslationBundle }): JSX.Element {
  const index = cell.b ?? cell.a;
  const changed = cell.status !== 'unchanged';
  return (
    <section
      className={`jp-Conveyor-diffCell jp-mod-${cell.status}`}
      data-status={cell.status}
      data-testid="conveyor-diff-cell"
    >
      <h4 className="jp-Conveyor-diffCellTitle">
        <span className={`jp-Conveyor-diffStatus jp-mod-${cell.status}`}>{cell.status}</span>
        {trans.__('Cell %1', index === undefined ? '?' : index + 1)}
        <span className="jp-Conveyor-runMeta">{cell.kind}</span>
        {cell.outputsChanged && (
          <span className="jp-Conveyor-runMeta">{trans.__('outputs changed')}</span>
        )}
      </h4>
      {!changed && firstLine(cell) && (
        <pre className="jp-Conveyor-diffHunk jp-Conveyor-diffPreview">{firstLine(cell)}</pre>
      )}
      {changed && (
        <pre className="jp-Conveyor-diffHunk">
          {cell.source.flatMap((hunk, h) =>
            hunk.lines.map((line, l) => (
              <div key={`${h}.${l}`} className={LINE_CLASS[hunk.op]}>
                {`${PREFIX[hunk.op]} ${line.replace(/\n$/, '')}`}
              </div>
            ))
          )}
        </pre>
      )}
      {(cell.outputs.a.length > 0 || cell.outputs.b.length > 0) && (
        <OutputsDiff cell={cell} trans={trans} open={false} />
      )}
    </section>
  );
}

/** A cell's outputs before and after, side by side (ANSI colours stripped), collapsible. */
export function OutputsDiff(props: {
  cell: Pick<CellDiffData, 'outputs' | 'outputsChanged'>;
  trans: TranslationBundle;
  open: boolean;
  testId?: string;
}): JSX.Element {
  const { cell, trans } = props;
  return (
    <details className="jp-Conveyor-diffOutputs" open={props.open} data-testid={props.testId}>
      <summary>{cell.outputsChanged ? trans.__('Outputs (changed)') : trans.__('Outputs')}</summary>
      <div className="jp-Conveyor-diffOutputsGrid">
        <pre className={cell.outputsChanged ? 'jp-Conveyor-diffDel' : undefined}>
          {cell.outputs.a.map(stripAnsi).join('\n')}
        </pre>
        <pre className={cell.outputsChanged ? 'jp-Conveyor-diffAdd' : undefined}>
          {cell.outputs.b.map(stripAnsi).join('\n')}
        </pre>
      </div>
    </details>
  );
}
