import { addIcon, caretDownIcon, caretRightIcon, copyIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { formatBytes, formatWhen } from '../runs/format';
import type { IDatasetId } from './api';
import { datasetKey } from './api';
import { lockIcon, tagVersionIcon } from './icons';
import type { DatasetsModel, IVersionsLoad } from './model';
import { tagsOf } from './model';
import type { DatasetSummary, DatasetVersion } from './types';

/**
 * The "Datasets" sidebar section: datasets, each expandable to its versions (message, author,
 * time, size, kind, tags, a lock on blinded ones). A version opens its files or table preview;
 * two checked versions of a dataset can be diffed.
 */
export class DatasetsSection extends SectionPanel<DatasetsSection.IOptions> {
  constructor(options: DatasetsSection.IOptions) {
    super(options, {
      id: 'jp-conveyor-datasets',
      label: options.trans.__('Datasets'),
      caption: options.trans.__('Versioned files and tables: versions, diffs, lineage')
    });
  }

  protected renderView(): JSX.Element {
    const { model, trans, actions } = this._options;
    const pair = model.diffPair();
    return (
      <div className="jp-Conveyor-datasetsBody">
        <div className="jp-Conveyor-runsToolbar">
          {(actions.canRegister?.() ?? true) && (
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
              data-testid="conveyor-dataset-register"
              onClick={() => actions.onRegister()}
              aria-label={trans.__('Register a dataset version')}
              title={trans.__('Register the selected file or folder of the file browser as a dataset version')}
            >
              <addIcon.react tag="span" />
            </button>
          )}
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Conveyor-datasetDiffButton"
            disabled={!pair}
            onClick={() => pair && actions.onDiff(pair.dataset, pair.from, pair.to)}
            title={
              pair
                ? trans.__('Compare %1 with %2', pair.from, pair.to)
                : trans.__('Check two versions of a dataset to compare them')
            }
            data-testid="conveyor-dataset-diff"
          >
            {trans.__('Diff')}
          </button>
          <span className="jp-Conveyor-expSpacer" />
          <RefreshButton label={trans.__('Refresh datasets')} onClick={() => void model.refresh()} />
        </div>
        <SectionError error={model.error} />
        {model.datasets.length === 0 && !model.loading && !model.error && (
          <p className="jp-Conveyor-placeholder">
            {trans.__(
              'No datasets yet. Right-click a folder or file in the file browser and choose "Register as dataset version…".'
            )}
          </p>
        )}
        <ul className="jp-Conveyor-datasetList" aria-label={trans.__('Datasets')}>
          {model.datasets.map(d => this._renderDataset(d))}
        </ul>
      </div>
    );
  }

  private _renderDataset(d: DatasetSummary): JSX.Element {
    const { model, trans, me } = this._options;
    const key = datasetKey(d);
    const expanded = model.isExpanded(key);
    const Caret = expanded ? caretDownIcon : caretRightIcon;
    const listId = `jp-conveyor-dataset-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const label = d.owner === me() ? d.name : key;
    return (
      <li key={key} className="jp-Conveyor-datasetItem" data-testid="conveyor-dataset" data-dataset={key}>
        <button
          type="button"
          className="jp-Conveyor-datasetHead"
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={() => model.toggle(d)}
          data-testid="conveyor-dataset-toggle"
        >
          <Caret.react tag="span" className="jp-Conveyor-datasetCaret" />
          <span className="jp-Conveyor-datasetName" title={key}>
            {label}
          </span>
          {d.versionCount !== undefined && (
            <span className="jp-Conveyor-expCount">{trans._n('%1 version', '%1 versions', d.versionCount)}</span>
          )}
        </button>
        {expanded && (
          <div id={listId}>
            <Versions id={d} load={model.versions(key)} {...this._options} />
          </div>
        )}
      </li>
    );
  }
}

function Versions(props: DatasetsSection.IOptions & { id: IDatasetId; load: IVersionsLoad }): JSX.Element {
  const { load, trans, id } = props;
  if (load.error) {
    return (
      <p className="jp-Conveyor-error" role="alert">
        {load.error}
      </p>
    );
  }
  if (!load.detail) {
    return <p className="jp-Conveyor-placeholder">{trans.__('Loading versions…')}</p>;
  }
  if (load.detail.versions.length === 0) {
    return <p className="jp-Conveyor-placeholder">{trans.__('No versions.')}</p>;
  }
  return (
    <ul className="jp-Conveyor-datasetVersions" aria-label={trans.__('Versions of %1', datasetKey(id))}>
      {load.detail.versions.map(v => (
        <Version key={v.id} {...props} v={v} tags={tagsOf(v, load.detail)} />
      ))}
    </ul>
  );
}

function Version(
  props: DatasetsSection.IOptions & { id: IDatasetId; v: DatasetVersion; tags: string[] }
): JSX.Element {
  const { model, trans, actions, id, v, tags } = props;
  const key = datasetKey(id);
  const picked = model.isPicked(key, v.id);
  const checkId = `jp-conveyor-dsv-${key.replace(/[^A-Za-z0-9_-]/g, '_')}-${v.id}`;
  return (
    <li
      className={`jp-Conveyor-datasetVersion${picked ? ' jp-mod-picked' : ''}`}
      data-testid="conveyor-dataset-version"
      data-version={v.id}
      data-blinded={v.blinded}
    >
      <div className="jp-Conveyor-datasetVersionHead">
        <input
          id={checkId}
          type="checkbox"
          checked={picked}
          disabled={v.blinded}
          onChange={() => model.togglePick(key, v.id)}
          aria-label={trans.__('Select version %1 to compare', v.id)}
          data-testid="conveyor-dataset-pick"
        />
        <button
          type="button"
          className="jp-Conveyor-linkButton jp-Conveyor-mono"
          onClick={() => actions.onOpen(id, v.id)}
          aria-label={trans.__('Open version %1', v.id)}
          title={v.blinded ? trans.__('Blinded: details and lineage only') : trans.__('Open its files or preview')}
          data-testid="conveyor-dataset-open"
        >
          {v.id}
        </button>
        <span className="jp-Conveyor-datasetKind">{v.kind === 'table' ? trans.__('table') : trans.__('files')}</span>
        <span className="jp-Conveyor-expSpacer" />
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => actions.onCopy(id, v.id)}
          aria-label={trans.__('Copy the dataset:// reference of %1', v.id)}
          title={trans.__('Copy dataset:// reference')}
        >
          <copyIcon.react tag="span" />
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => actions.onTag(id, v.id)}
          aria-label={trans.__('Tag version %1', v.id)}
          title={trans.__('Tag this version')}
        >
          <tagVersionIcon.react tag="span" />
        </button>
      </div>
      {(v.blinded || tags.length > 0) && (
        <div className="jp-Conveyor-datasetBadges">
          {v.blinded && (
            <span
              className="jp-Conveyor-datasetBlinded"
              title={trans.__('Blinded test set: no preview, download or mount by data scientists')}
              data-testid="conveyor-dataset-blinded"
            >
              <lockIcon.react tag="span" className="jp-Conveyor-datasetLock" />
              {trans.__('blinded')}
            </span>
          )}
          {tags.map(t => (
            <span key={t} className="jp-Conveyor-datasetTag" data-testid="conveyor-dataset-tag">
              {t}
            </span>
          ))}
        </div>
      )}
      {v.message && <div className="jp-Conveyor-datasetMessage">{v.message}</div>}
      <div className="jp-Conveyor-runMeta">
        {[
          v.author,
          formatWhen(v.createdAt),
          formatBytes(v.bytes),
          trans._n('%1 file', '%1 files', v.files)
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
    </li>
  );
}

export namespace DatasetsSection {
  export interface IActions {
    onRegister: () => void;
    /** Whether registering from a path is offered (not inside a managed workspace); default yes. */
    canRegister?: () => boolean;
    onOpen: (id: IDatasetId, version: string) => void;
    onDiff: (dataset: string, from: string, to: string) => void;
    onCopy: (id: IDatasetId, version: string) => void;
    onTag: (id: IDatasetId, version: string) => void;
  }

  export interface IOptions extends SectionPanel.IOptions {
    model: DatasetsModel;
    actions: IActions;
    /** The caller's user name, once known (their own datasets show without the owner). */
    me: () => string | null;
  }
}
