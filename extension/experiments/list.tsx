import React from 'react';

import type { ExperimentList, ExperimentSummary } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';
import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { formatWhen } from '../runs/format';
import type { Fetcher } from './request';

/**
 * The experiments the caller can see, polled while the section is shown, and which are checked.
 */
export class ExperimentListModel extends SectionModel {
  constructor(options: { requestAPI: Fetcher; autoStart?: boolean; interval?: number }) {
    super({
      name: 'jupyterlab-conveyor:experiments',
      interval: options.interval ?? 15_000,
      max: 300_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
  }

  get experiments(): readonly ExperimentSummary[] {
    return this._experiments;
  }

  get checked(): readonly string[] {
    return this._checked.filter(id => this._experiments.some(e => e.id === id));
  }

  isChecked(id: string): boolean {
    return this._checked.includes(id);
  }

  toggle(id: string): void {
    this._checked = this.isChecked(id) ? this._checked.filter(x => x !== id) : [...this._checked, id];
    this._changed.emit();
  }

  /** Experiment names by id. */
  get names(): Map<string, string> {
    return new Map(this._experiments.map(e => [e.id, e.name]));
  }

  protected async load(): Promise<void> {
    this._loading = true;
    try {
      const answer = await this._fetch<ExperimentList>('experiments');
      this._experiments = answer.experiments.filter(e => e.lifecycleStage === 'active');
      this._error = null;
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  private _checked: string[] = [];
  private _experiments: ExperimentSummary[] = [];
  private _fetch: Fetcher;
}

/**
 * The "Experiments" sidebar section: experiments with their run counts; check several and
 * "Compare" opens their runs in the main area (Enter or double-click opens one).
 */
export class ExperimentsSection extends SectionPanel<ExperimentsSection.IOptions> {
  constructor(options: ExperimentsSection.IOptions) {
    super(options, {
      id: 'jp-conveyor-experiments',
      label: options.trans.__('Experiments'),
      caption: options.trans.__('Tracked runs by experiment: compare, chart, pick candidates')
    });
  }

  protected renderView(): JSX.Element {
    const { model, trans, onOpen } = this._options;
    const checked = model.checked;
    const experiments = model.experiments;
    return (
      <div className="jp-Conveyor-expSection">
        <div className="jp-Conveyor-runsToolbar">
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            disabled={checked.length === 0}
            onClick={() => onOpen([...checked])}
            data-testid="conveyor-experiments-compare"
          >
            {checked.length > 1 ? trans.__('Compare %1', checked.length) : trans.__('Open')}
          </button>
          <span className="jp-Conveyor-expSpacer" />
          <RefreshButton label={trans.__('Refresh experiments')} onClick={() => void model.refresh()} />
        </div>
        <SectionError error={model.error} />
        {experiments.length === 0 && !model.loading && !model.error && (
          <p className="jp-Conveyor-placeholder">
            {trans.__('No experiments yet. Runs logged with mlflow or submitted pipelines appear here.')}
          </p>
        )}
        <ul className="jp-Conveyor-expList" aria-label={trans.__('Experiments')}>
          {experiments.map(e => (
            <li
              key={e.id}
              className={`jp-Conveyor-expItem${model.isChecked(e.id) ? ' jp-mod-selected' : ''}`}
              data-experiment-id={e.id}
              data-testid="conveyor-experiment"
              onDoubleClick={() => onOpen([e.id])}
            >
              <label className="jp-Conveyor-expItemLabel">
                <input
                  type="checkbox"
                  checked={model.isChecked(e.id)}
                  onChange={() => model.toggle(e.id)}
                  onKeyDown={event => {
                    if (event.key === 'Enter') {
                      onOpen(model.checked.length ? [...model.checked] : [e.id]);
                    }
                  }}
                  aria-label={trans.__('Select experiment %1', e.name)}
                />
                <span className="jp-Conveyor-expItemName" title={e.name}>
                  {e.name}
                </span>
              </label>
              <span className="jp-Conveyor-expCount" data-testid="conveyor-experiment-count">
                {trans._n('%1 run', '%1 runs', e.runCount)}
              </span>
              <span className="jp-Conveyor-runMeta">
                {e.owner && e.sharedWith.length ? trans.__('%1, shared', e.owner) : e.owner}
                {e.lastRunTime ? ` · ${formatWhen(new Date(e.lastRunTime).toISOString())}` : ''}
              </span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
}

export namespace ExperimentsSection {
  export interface IOptions extends SectionPanel.IOptions {
    model: ExperimentListModel;
    onOpen: (experimentIds: string[]) => void;
  }
}
