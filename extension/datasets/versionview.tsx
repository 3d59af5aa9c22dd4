import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { copyIcon, ReactWidget, refreshIcon, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import { formatBytes, formatWhen } from '../runs/format';
import type { IDatasetId } from './api';
import { datasetKey } from './api';
import { datasetIcon, lockIcon, tagVersionIcon } from './icons';
import { LineageGraph } from './lineage';
import { FileList, TablePreview } from './preview';
import type { ILoad, VersionModel } from './viewmodels';

/** A dataset version in the main area: its record, files or table preview, and lineage. */
export class VersionView extends MainAreaWidget<VersionContent> {
  constructor(options: VersionView.IOptions) {
    super({ content: new VersionContent(options) });
    const key = options.model.key;
    this.id = `jp-conveyor-dataset-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.addClass('jp-Conveyor-datasetView');
    this.title.label = `${options.model.dataset.name}@${options.model.ref}`;
    this.title.caption = key;
    this.title.icon = datasetIcon;
    this.title.closable = true;
  }

  get model(): VersionModel {
    return this.content.model;
  }

  dispose(): void {
    const model = this.isDisposed ? null : this.content.model;
    super.dispose();
    model?.dispose();
  }
}

export namespace VersionView {
  export interface IOptions {
    model: VersionModel;
    trans: TranslationBundle;
    onCopy: (id: IDatasetId, version: string) => void;
    onTag: (id: IDatasetId, version: string) => void;
    /** Marks the version a blinded test set (after asking). */
    onBlind: (id: IDatasetId, version: string) => void;
    /** The download URL of a file of this version. */
    fileUrl: (path: string) => string;
    /** Opens the share dialog for a read-only link to this version; null when the caller may not share it. */
    onShare?: ((id: IDatasetId, version: string) => void) | null;
    /** Opens a run in the Runs section; null when there is no such command. */
    onOpenRun: ((runId: string) => void) | null;
  }
}

export class VersionContent extends ReactWidget {
  constructor(private readonly _options: VersionView.IOptions) {
    super();
    this.addClass('jp-Conveyor-datasetContent');
  }

  get model(): VersionModel {
    return this._options.model;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed} initialSender={this.model}>
        {() => <VersionBody {...this._options} />}
      </UseSignal>
    );
  }
}

/** The error of a load: the server's message, or the blinded-version explanation for a 403. */
export function LoadError(props: { load: ILoad<unknown>; trans: TranslationBundle }): JSX.Element | null {
  const { load, trans } = props;
  if (!load.error) {
    return null;
  }
  return (
    <p className="jp-Conveyor-error" role="alert" data-testid="conveyor-dataset-error">
      {load.forbidden
        ? trans.__('You may not read this: %1', load.error)
        : load.error}
    </p>
  );
}

function VersionBody(props: VersionView.IOptions): JSX.Element {
  const { model, trans, onCopy, onTag, onBlind, onOpenRun, fileUrl } = props;
  const version = model.version.value;
  const key = datasetKey(model.dataset);
  return (
    <div className="jp-Conveyor-datasetPage">
      <header className="jp-Conveyor-datasetPageHeader">
        <h2>
          <span className="jp-Conveyor-datasetName">{key}</span>
          <span className="jp-Conveyor-mono">@{version?.id ?? model.ref}</span>
        </h2>
        <span className="jp-Conveyor-expSpacer" />
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => onCopy(model.dataset, version?.id ?? model.ref)}
          aria-label={trans.__('Copy dataset:// reference')}
          title={trans.__('Copy dataset:// reference')}
        >
          <copyIcon.react tag="span" />
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => onTag(model.dataset, version?.id ?? model.ref)}
          aria-label={trans.__('Tag this version')}
          title={trans.__('Tag this version')}
        >
          <tagVersionIcon.react tag="span" />
        </button>
        {version && !version.blinded && (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
            onClick={() => onBlind(model.dataset, version.id)}
            aria-label={trans.__('Mark as blinded test set')}
            title={trans.__('Mark as blinded test set: nobody may preview, download or mount it any more')}
            data-testid="conveyor-dataset-blind"
          >
            <lockIcon.react tag="span" />
          </button>
        )}
        {props.onShare && version && (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-shareAction"
            onClick={() => props.onShare?.(model.dataset, version.id)}
            aria-label={trans.__('Share this version…')}
            title={trans.__('Create a read-only link to this version for signed-in users')}
            data-testid="conveyor-dataset-share"
          >
            {trans.__('Share…')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => void model.load()}
          aria-label={trans.__('Reload')}
          title={trans.__('Reload')}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      <LoadError load={model.version} trans={trans} />
      {!version && model.version.loading && <p className="jp-Conveyor-placeholder">{trans.__('Loading…')}</p>}
      {version && (
        <>
          <dl className="jp-Conveyor-datasetFacts">
            <dt>{trans.__('Message')}</dt>
            <dd>{version.message || '—'}</dd>
            <dt>{trans.__('Author')}</dt>
            <dd>{version.author}</dd>
            <dt>{trans.__('Created')}</dt>
            <dd title={version.createdAt}>{formatWhen(version.createdAt)}</dd>
            <dt>{trans.__('Kind')}</dt>
            <dd>{version.kind === 'table' ? trans.__('table') : trans.__('files')}</dd>
            <dt>{trans.__('Size')}</dt>
            <dd>
              {formatBytes(version.bytes)} · {trans._n('%1 file', '%1 files', version.files)}
            </dd>
            {version.parents.length > 0 && (
              <>
                <dt>{trans.__('Parents')}</dt>
                <dd className="jp-Conveyor-mono">{version.parents.join(', ')}</dd>
              </>
            )}
            {(version.tags ?? []).length > 0 && (
              <>
                <dt>{trans.__('Tags')}</dt>
                <dd>
                  {version.tags!.map(t => (
                    <span key={t} className="jp-Conveyor-datasetTag">
                      {t}
                    </span>
                  ))}
                </dd>
              </>
            )}
          </dl>
          <section aria-label={version.kind === 'table' ? trans.__('Preview') : trans.__('Files')}>
            <h3>{version.kind === 'table' ? trans.__('Preview') : trans.__('Files')}</h3>
            {version.blinded ? (
              <p className="jp-Conveyor-datasetBlindedNote" data-testid="conveyor-dataset-blinded-note">
                <lockIcon.react tag="span" className="jp-Conveyor-datasetLock" />
                {trans.__(
                  'This version is a blinded test set: its contents cannot be previewed, downloaded or mounted. Only an admin-approved evaluation step reads it, and only its metrics leave the container.'
                )}
              </p>
            ) : version.kind === 'table' ? (
              <>
                <LoadError load={model.preview} trans={trans} />
                {model.preview.value && <TablePreview preview={model.preview.value} trans={trans} />}
              </>
            ) : (
              <>
                <LoadError load={model.files} trans={trans} />
                {model.files.value && (
                  <FileList
                    files={model.files.value.files}
                    truncated={model.files.value.truncated}
                    fileUrl={fileUrl}
                    trans={trans}
                  />
                )}
              </>
            )}
          </section>
          <section aria-label={trans.__('Lineage')}>
            <h3>{trans.__('Lineage')}</h3>
            <LoadError load={model.lineage} trans={trans} />
            {model.lineage.value && (
              <LineageGraph
                lineage={model.lineage.value}
                versionLabel={`${model.dataset.name}@${version.id}`}
                trans={trans}
                onOpenRun={onOpenRun}
              />
            )}
          </section>
        </>
      )}
    </div>
  );
}
