import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import type { NotebookDiff } from '../../schema/generated/api';
import { OutputsDiff } from '../runs/diffview';
import { GitDiffModel, patchLines } from './diff';

type CellDiffData = NotebookDiff['cells'][number];

/**
 * A main-area diff of one file between two versions (a commit, the index or the working copy):
 * notebooks cell by cell (added, removed, moved, modified; source hunks per cell; metadata and
 * outputs apart, outputs can be hidden), other files as a unified text diff.
 */
export class GitDiffView extends MainAreaWidget<ReactWidget> {
  constructor(options: GitDiffView.IOptions) {
    const { model, trans } = options;
    const content = ReactWidget.create(
      <UseSignal signal={model.changed} initialSender={model}>
        {() => <DiffBody model={model} trans={trans} />}
      </UseSignal>
    );
    super({ content });
    this.model = model;
    this.id = GitDiffView.widgetId(model);
    this.addClass('jp-Conveyor-diffView');
    this.addClass('jp-Conveyor-gitDiffView');
    const name = model.path.slice(model.path.lastIndexOf('/') + 1);
    const [from, to] = GitDiffView.sides(model, trans);
    this.title.label = trans.__('%1 (%2 ↔ %3)', name, from, to);
    this.title.caption = trans.__('Diff of %1: %2 → %3', model.path, from, to);
    this.title.closable = true;
    void model.load();
  }

  readonly model: GitDiffModel;

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }
}

export namespace GitDiffView {
  export interface IOptions {
    model: GitDiffModel;
    trans: TranslationBundle;
  }

  export function widgetId(m: { path: string; from: string; to: string }): string {
    return `jp-conveyor-git-diff-${m.from}-${m.to}-${m.path}`.replace(/[^A-Za-z0-9_-]/g, '-');
  }

  export function sides(model: GitDiffModel, trans: TranslationBundle): [string, string] {
    const name = (ref: string) =>
      GitDiffModel.label(ref, trans.__('working copy'), trans.__('staged'));
    return [name(model.from), name(model.to)];
  }
}

function DiffBody({ model, trans }: GitDiffView.IOptions): JSX.Element {
  if (model.error) {
    return (
      <p className="jp-Conveyor-error" role="alert">
        {model.error}
      </p>
    );
  }
  const answer = model.diff;
  if (!answer) {
    return <p className="jp-Conveyor-placeholder">{trans.__('Comparing…')}</p>;
  }
  const [from, to] = GitDiffView.sides(model, trans);
  return (
    <div className="jp-Conveyor-diff" data-testid="conveyor-git-diff" data-kind={answer.kind}>
      <header className="jp-Conveyor-diffHeader">
        <span className="jp-Conveyor-mono">{model.path}</span>
        <span className="jp-Conveyor-diffSide jp-Conveyor-diffDel" data-testid="conveyor-git-diff-from">
          − {from}
        </span>
        <span className="jp-Conveyor-diffSide jp-Conveyor-diffAdd" data-testid="conveyor-git-diff-to">
          + {to}
        </span>
      </header>
      {model.warnings.map(w => (
        <p key={w} className="jp-Conveyor-gitWarning" role="status" data-testid="conveyor-git-diff-warning">
          {w}
        </p>
      ))}
      {answer.kind === 'binary' && (
        <p className="jp-Conveyor-placeholder">{trans.__('Binary files differ.')}</p>
      )}
      {answer.kind === 'text' && <TextDiff patch={answer.patch ?? ''} trans={trans} />}
      {answer.kind === 'notebook' && answer.diff && (
        <NotebookCells diff={answer.diff} model={model} trans={trans} />
      )}
      {answer.kind === 'notebook' && answer.metadata?.changed && (
        <details className="jp-Conveyor-gitMetadata" open data-testid="conveyor-git-diff-nbmetadata">
          <summary className="jp-Conveyor-groupTitle">{trans.__('Notebook metadata changed')}</summary>
          <pre className="jp-Conveyor-diffHunk jp-Conveyor-gitPatch">
            {answer.metadata.hunks.flatMap((hunk, h) =>
              hunk.lines.map((line, l) => (
                <div key={`${h}.${l}`} className={HUNK_CLASS[hunk.op]}>
                  {`${PREFIX[hunk.op]} ${line.replace(/\n$/, '')}`}
                </div>
              ))
            )}
          </pre>
        </details>
      )}
    </div>
  );
}

const LINE_CLASS = {
  add: 'jp-Conveyor-diffAdd',
  del: 'jp-Conveyor-diffDel',
  hunk: 'jp-Conveyor-diffHunkHeader',
  meta: 'jp-Conveyor-diffHunkHeader',
  ctx: undefined
};

function TextDiff({ patch, trans }: { patch: string; trans: TranslationBundle }): JSX.Element {
  if (!patch.trim()) {
    return <p className="jp-Conveyor-placeholder">{trans.__('No differences.')}</p>;
  }
  return (
    <pre className="jp-Conveyor-diffHunk jp-Conveyor-gitPatch" data-testid="conveyor-git-patch">
      {patchLines(patch).map((line, i) => (
        <div key={i} className={LINE_CLASS[line.kind]}>
          {line.text || ' '}
        </div>
      ))}
    </pre>
  );
}

function NotebookCells({
  diff,
  model,
  trans
}: {
  diff: NotebookDiff;
  model: GitDiffModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { summary } = diff;
  const cells = model.showUnchanged ? diff.cells : diff.cells.filter(c => c.status !== 'unchanged');
  return (
    <>
      <div className="jp-Conveyor-gitDiffBar">
        <span className="jp-Conveyor-runMeta" data-testid="conveyor-git-diff-summary">
          {trans.__(
            '%1 modified, %2 added, %3 removed, %4 moved, %5 unchanged',
            summary.modified,
            summary.added,
            summary.removed,
            summary.moved,
            summary.unchanged
          )}
        </span>
        <label className="jp-Conveyor-gitOption">
          <input
            type="checkbox"
            checked={model.hideOutputs}
            onChange={e => (model.hideOutputs = e.target.checked)}
            data-testid="conveyor-git-hide-outputs"
          />
          <span>{trans.__('Hide outputs')}</span>
        </label>
        <label className="jp-Conveyor-gitOption">
          <input
            type="checkbox"
            checked={model.showUnchanged}
            onChange={e => (model.showUnchanged = e.target.checked)}
          />
          <span>{trans.__('Show unchanged cells')}</span>
        </label>
      </div>
      {cells.length === 0 && (
        <p className="jp-Conveyor-placeholder">{trans.__('No cell changed.')}</p>
      )}
      {cells.map((cell, i) => (
        <CellDiff key={`${cell.a}-${cell.b}-${i}`} cell={cell} trans={trans} hideOutputs={model.hideOutputs} />
      ))}
    </>
  );
}

const PREFIX = { equal: ' ', insert: '+', delete: '-' } as const;
const HUNK_CLASS = { equal: undefined, insert: 'jp-Conveyor-diffAdd', delete: 'jp-Conveyor-diffDel' };

function statusText(cell: CellDiffData, trans: TranslationBundle): string {
  switch (cell.status) {
    case 'added':
      return trans.__('added');
    case 'removed':
      return trans.__('removed');
    case 'moved':
      return trans.__('moved %1 → %2', (cell.a ?? 0) + 1, (cell.b ?? 0) + 1);
    case 'modified':
      return trans.__('modified');
    default:
      return trans.__('unchanged');
  }
}

function CellDiff(props: {
  cell: CellDiffData;
  trans: TranslationBundle;
  hideOutputs: boolean;
}): JSX.Element {
  const { cell, trans, hideOutputs } = props;
  const index = cell.b ?? cell.a;
  const lines = cell.source.flatMap((hunk, h) =>
    hunk.lines.map((line, l) => ({ key: `${h}.${l}`, op: hunk.op, text: line.replace(/\n$/, '') }))
  );
  const sourceChanged = cell.source.some(h => h.op !== 'equal');
  const outputs = cell.outputs.a.length > 0 || cell.outputs.b.length > 0;
  return (
    <section
      className={`jp-Conveyor-diffCell jp-mod-${cell.status}`}
      data-status={cell.status}
      aria-label={trans.__('Cell %1, %2', index === undefined ? '?' : index + 1, statusText(cell, trans))}
      data-testid="conveyor-git-diff-cell"
    >
      <h4 className="jp-Conveyor-diffCellTitle">
        <span className={`jp-Conveyor-diffStatus jp-mod-${cell.status}`}>{statusText(cell, trans)}</span>
        {trans.__('Cell %1', index === undefined ? '?' : index + 1)}
        <span className="jp-Conveyor-runMeta">{cell.kind}</span>
        {cell.metadataChanged && (
          <span className="jp-Conveyor-gitBadge" data-testid="conveyor-git-diff-metadata">
            {trans.__('metadata changed')}
          </span>
        )}
        {cell.outputsChanged && (
          <span className="jp-Conveyor-gitBadge">{trans.__('outputs changed')}</span>
        )}
      </h4>
      {cell.status === 'unchanged' || (cell.status === 'moved' && !sourceChanged) ? (
        <pre className="jp-Conveyor-diffHunk jp-Conveyor-diffPreview">
          {lines.find(l => l.text.trim() !== '')?.text ?? ''}
        </pre>
      ) : (
        <pre className="jp-Conveyor-diffHunk" data-testid="conveyor-git-diff-source">
          {lines.map(line => (
            <div key={line.key} className={HUNK_CLASS[line.op]}>
              {`${PREFIX[line.op]} ${line.text}`}
            </div>
          ))}
        </pre>
      )}
      {outputs && !hideOutputs && (
        <OutputsDiff cell={cell} trans={trans} open={cell.outputsChanged} testId="conveyor-git-diff-outputs" />
      )}
    </section>
  );
}
