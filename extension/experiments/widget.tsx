import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import type { ExperimentRunDetail } from '../../schema/generated/api';
import type { ComparisonModel } from './comparison';
import type { ExperimentsModel } from './model';
import { ComparisonPane } from './pane';
import { RunTable } from './table';
import { ExperimentsToolbar, type IToolbarProps } from './toolbar';

let counter = 0;

/**
 * The Experiments view in the main area: toolbar, the virtualised runs table and the
 * comparison area. Renders its models; the plugin wires the actions.
 */
export class ExperimentsWidget extends MainAreaWidget<ReactWidget> {
  constructor(options: ExperimentsWidget.IOptions) {
    const { model, comparison, trans } = options;
    const idPrefix = `jp-conveyor-exp-${++counter}`;
    const content = ReactWidget.create(
      <UseSignal signal={comparison.changed}>
        {() => (
          <UseSignal signal={model.changed}>
            {() => (
              <div className="jp-Conveyor-expView">
                <ExperimentsToolbar
                  {...options.actions}
                  onShare={options.shareAction?.(model.viewState.experimentIds) ?? null}
                  canMark={options.canMark?.(model.viewState.experimentIds) ?? true}
                  model={model}
                  trans={trans}
                />
                {model.error && (
                  <p className="jp-Conveyor-error" role="alert">
                    {model.error}
                  </p>
                )}
                <RunTable model={model} trans={trans} idPrefix={idPrefix} />
                <ComparisonPane
                  model={model}
                  comparison={comparison}
                  trans={trans}
                  renderCandidates={options.renderCandidates}
                />
              </div>
            )}
          </UseSignal>
        )}
      </UseSignal>
    );
    content.addClass('jp-Conveyor-expWidget');
    super({ content });
    this.id = idPrefix;
    this.model = model;
    this.comparison = comparison;
    this.title.closable = true;
    this.title.caption = trans.__('Runs of the selected experiments: filter, sort, group and compare');
    this._names = options.names;
    this._trans = trans;
    this._setTitle();
    model.stateChanged.connect(this._setTitle, this);
  }

  readonly model: ExperimentsModel;
  readonly comparison: ComparisonModel;

  /** Experiment names by id, for the tab title. */
  set names(names: Map<string, string>) {
    this._names = names;
    this._setTitle();
    // What the caller may do follows the list too (canMark).
    this.content.update();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    this.comparison.dispose();
    super.dispose();
  }

  private _setTitle(): void {
    const names = this.model.viewState.experimentIds.map(id => this._names.get(id) ?? id);
    this.title.label = this._trans.__('Experiments: %1', names.join(', '));
  }

  private _names: Map<string, string>;
  private _trans: TranslationBundle;
}

export namespace ExperimentsWidget {
  export interface IOptions {
    model: ExperimentsModel;
    comparison: ComparisonModel;
    trans: TranslationBundle;
    names: Map<string, string>;
    actions: Omit<IToolbarProps, 'model' | 'trans' | 'onShare'>;
    /** The "Share…" action for these experiments, or null when the caller may not share them. */
    shareAction?: (experimentIds: readonly string[]) => (() => void) | null;
    /** Whether the caller may mark candidates in these experiments (experiments/shared.ts); default yes. */
    canMark?: (experimentIds: readonly string[]) => boolean;
    renderCandidates?: (runs: ExperimentRunDetail[]) => JSX.Element;
  }
}
