import type { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { ModelSummary, ModelVersionDetail } from '../../../schema/generated/api';
import { RefreshButton, SectionError, SectionPanel } from '../../core/sectionPanel';
import { formatValue } from '../columns';
import type { IVersionsLoad, ModelListModel } from './model';

/** How many of the source run's metrics a version shows. */
const KEY_METRICS = 3;

/** The source run's metrics worth showing first: the user's own, not Conveyor's bookkeeping. */
export function keyMetrics(metrics: { [k: string]: number | string | undefined }): [string, number | string][] {
  return Object.entries(metrics)
    .filter((e): e is [string, number | string] => e[1] !== undefined && !e[0].startsWith('conveyor.') && !e[0].startsWith('mlflow.'))
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, KEY_METRICS);
}

/**
 * The "Models" sidebar section: registered models, each expandable to its versions with their
 * aliases, source run (opens it in the Experiments view) and that run's key metrics.
 */
export class ModelsSection extends SectionPanel<ModelsSection.IOptions> {
  constructor(options: ModelsSection.IOptions) {
    super(options, {
      id: 'jp-conveyor-models',
      label: options.trans.__('Models'),
      caption: options.trans.__('Registered models: versions, aliases and the runs they came from')
    });
  }

  protected renderView(): JSX.Element {
    const { model, trans } = this._options;
    return (
      <div className="jp-Conveyor-expSection jp-Conveyor-modelSection">
        <div className="jp-Conveyor-runsToolbar">
          <span className="jp-Conveyor-expSpacer" />
          <RefreshButton label={trans.__('Refresh models')} onClick={() => void model.refresh()} />
        </div>
        <SectionError error={model.error} />
        {model.models.length === 0 && !model.loading && !model.error && (
          <p className="jp-Conveyor-placeholder">
            {trans.__('No registered models yet. Register one with mlflow.register_model.')}
          </p>
        )}
        <ul className="jp-Conveyor-modelList" aria-label={trans.__('Registered models')}>
          {model.models.map(m => this._renderModel(m))}
        </ul>
      </div>
    );
  }

  private _renderModel(m: ModelSummary): JSX.Element {
    const { model, trans } = this._options;
    const expanded = model.isExpanded(m.name);
    const Caret = expanded ? caretDownIcon : caretRightIcon;
    const listId = `jp-conveyor-model-${encodeURIComponent(m.name).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const aliases = Object.entries(m.aliases).sort(([a], [b]) => a.localeCompare(b));
    return (
      <li key={`${m.owner}/${m.name}`} className="jp-Conveyor-modelItem" data-testid="conveyor-model" data-model={m.name}>
        <button
          type="button"
          className="jp-Conveyor-modelHead"
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={() => model.toggle(m.name)}
          data-testid="conveyor-model-toggle"
        >
          <Caret.react tag="span" className="jp-Conveyor-modelCaret" />
          <span className="jp-Conveyor-expItemName" title={m.name}>
            {m.name}
          </span>
          <span className="jp-Conveyor-expCount">{trans._n('%1 version', '%1 versions', m.versionCount)}</span>
        </button>
        <span className="jp-Conveyor-runMeta jp-Conveyor-modelMeta">
          {m.owner}
          {aliases.map(([alias, version]) => (
            <span key={alias} className="jp-Conveyor-modelAlias" title={trans.__('Alias %1 → version %2', alias, version)}>
              {`@${alias} v${version}`}
            </span>
          ))}
        </span>
        {expanded && (
          <div id={listId}>
            <Versions load={model.versions(m.name)} trans={trans} onOpenRun={this._options.onOpenRun} name={m.name} />
          </div>
        )}
      </li>
    );
  }
}

function Versions(props: {
  name: string;
  load: IVersionsLoad;
  trans: TranslationBundle;
  onOpenRun: (experimentId: string, runId: string) => void;
}): JSX.Element {
  const { load, trans, name } = props;
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
    <ul className="jp-Conveyor-modelVersions" aria-label={trans.__('Versions of %1', name)}>
      {load.detail.versions.map(v => (
        <Version key={v.version} v={v} trans={trans} onOpenRun={props.onOpenRun} />
      ))}
    </ul>
  );
}

function Version({
  v,
  trans,
  onOpenRun
}: {
  v: ModelVersionDetail;
  trans: TranslationBundle;
  onOpenRun: (experimentId: string, runId: string) => void;
}): JSX.Element {
  const metrics = keyMetrics(v.metrics);
  const runLabel = v.runName || v.runId.slice(0, 8);
  return (
    <li className="jp-Conveyor-modelVersion" data-testid="conveyor-model-version" data-version={v.version}>
      <div className="jp-Conveyor-modelVersionHead">
        <span className="jp-Conveyor-modelVersionNumber">{trans.__('Version %1', v.version)}</span>
        {v.aliases.map(a => (
          <span key={a} className="jp-Conveyor-modelAlias" data-testid="conveyor-model-alias">
            {`@${a}`}
          </span>
        ))}
        {v.status !== 'READY' && <span className="jp-Conveyor-runMeta">{v.status.toLowerCase()}</span>}
      </div>
      {v.runId && (
        <div className="jp-Conveyor-runMeta">
          {trans.__('Source run:')}{' '}
          {v.runVisible && v.experimentId ? (
            <button
              type="button"
              className="jp-Conveyor-linkButton"
              onClick={() => onOpenRun(v.experimentId!, v.runId)}
              aria-label={trans.__('Open run %1 in the Experiments view', runLabel)}
              title={v.runId}
              data-testid="conveyor-model-run"
            >
              {runLabel}
            </button>
          ) : (
            <span title={trans.__('You cannot read this run')}>{runLabel}</span>
          )}
        </div>
      )}
      {metrics.length > 0 && (
        <dl className="jp-Conveyor-modelMetrics" aria-label={trans.__('Metrics of the source run')}>
          {metrics.map(([k, value]) => (
            <div key={k} className="jp-Conveyor-modelMetric" data-testid="conveyor-model-metric" data-key={k}>
              <dt>{k}</dt>
              <dd className="jp-Conveyor-mono">{formatValue(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

export namespace ModelsSection {
  export interface IOptions extends SectionPanel.IOptions {
    model: ModelListModel;
    onOpenRun: (experimentId: string, runId: string) => void;
  }
}
