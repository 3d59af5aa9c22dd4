import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import { datasetKey } from './api';
import { datasetIcon } from './icons';
import { TableDiffView } from './tablediff';
import type { DatasetDiff, TableDiff } from './types';
import type { DiffModel } from './viewmodels';
import { LoadError } from './versionview';

/** The diff of two versions in the main area: files added/removed/changed; rows for tables. */
export class DiffView extends MainAreaWidget<DiffContent> {
  constructor(options: DiffView.IOptions) {
    super({ content: new DiffContent(options) });
    this.id = `jp-conveyor-dataset-diff-${options.model.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.addClass('jp-Conveyor-datasetView');
    this.title.label = options.trans.__('%1: %2 → %3', options.model.dataset.name, options.model.from, options.model.to);
    this.title.caption = options.model.key;
    this.title.icon = datasetIcon;
    this.title.closable = true;
  }

  get model(): DiffModel {
    return this.content.model;
  }

  dispose(): void {
    const model = this.isDisposed ? null : this.content.model;
    super.dispose();
    model?.dispose();
  }
}

export namespace DiffView {
  export interface IOptions {
    model: DiffModel;
    trans: TranslationBundle;
  }
}

export class DiffContent extends ReactWidget {
  constructor(private readonly _options: DiffView.IOptions) {
    super();
    this.addClass('jp-Conveyor-datasetContent');
  }

  get model(): DiffModel {
    return this._options.model;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed} initialSender={this.model}>
        {() => <DiffBody {...this._options} />}
      </UseSignal>
    );
  }
}

function FileGroup(props: { kind: 'added' | 'removed' | 'changed'; paths: string[]; title: string }): JSX.Element {
  const sign = props.kind === 'added' ? '+' : props.kind === 'removed' ? '−' : '~';
  return (
    <section className={`jp-Conveyor-datasetDiffGroup jp-mod-${props.kind}`} data-testid={`conveyor-dataset-diff-${props.kind}`} aria-label={props.title}>
      <h4>
        {props.title} <span className="jp-Conveyor-expCount">{props.paths.length}</span>
      </h4>
      <ul>
        {props.paths.map(p => (
          <li key={p} className="jp-Conveyor-mono" data-path={p}>
            <span aria-hidden="true" className="jp-Conveyor-datasetDiffSign">
              {sign}
            </span>{' '}
            {p}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DiffBody({ model, trans }: DiffView.IOptions): JSX.Element {
  const diff = model.diff.value;
  return (
    <div className="jp-Conveyor-datasetPage">
      <header className="jp-Conveyor-datasetPageHeader">
        <h2>
          <span className="jp-Conveyor-datasetName">{datasetKey(model.dataset)}</span>{' '}
          <span className="jp-Conveyor-mono">
            {model.from} → {model.to}
          </span>
        </h2>
      </header>
      <LoadError load={model.diff} trans={trans} />
      {!diff && model.diff.loading && <p className="jp-Conveyor-placeholder">{trans.__('Comparing…')}</p>}
      {diff && <DiffDetails diff={diff} trans={trans} />}
    </div>
  );
}

function DiffDetails({ diff, trans }: { diff: DatasetDiff; trans: TranslationBundle }): JSX.Element {
  const groups = {
    added: diff.files.added.map(f => f.path),
    removed: diff.files.removed.map(f => f.path),
    changed: diff.files.changed.map(f => f.path)
  };
  const same = !groups.added.length && !groups.removed.length && !groups.changed.length && !diff.table;
  const table = (diff.table ?? null) as TableDiff | null;
  return (
    <div className="jp-Conveyor-datasetDiff" data-testid="conveyor-dataset-diff-view">
      <p className="jp-Conveyor-datasetDiffSummary" role="status" data-testid="conveyor-dataset-diff-summary">
        {same
          ? trans.__('The two versions hold the same files.')
          : trans.__(
              'Files: %1 added, %2 removed, %3 changed, %4 unchanged',
              groups.added.length,
              groups.removed.length,
              groups.changed.length,
              diff.files.unchanged
            )}
      </p>
      {groups.added.length > 0 && <FileGroup kind="added" paths={groups.added} title={trans.__('Added')} />}
      {groups.removed.length > 0 && <FileGroup kind="removed" paths={groups.removed} title={trans.__('Removed')} />}
      {groups.changed.length > 0 && <FileGroup kind="changed" paths={groups.changed} title={trans.__('Changed')} />}
      {table && <TableDiffView table={table} trans={trans} />}
    </div>
  );
}
