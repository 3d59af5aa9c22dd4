import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import { columnId } from './columns';
import type { ExperimentsModel } from './model';

export interface IToolbarProps {
  model: ExperimentsModel;
  trans: TranslationBundle;
  onCopyLink: () => void;
  onDiff: () => void;
  onMarkCandidate: (candidate: boolean) => void;
  onRefresh: () => void;
  /** Opens the share dialog for a read-only link to this comparison; absent when the caller may not share it. */
  onShare?: (() => void) | null;
  /** Whether the caller may mark candidates (not in experiments shared with them, read-only); default yes. */
  canMark?: boolean;
}

/**
 * Filter (MLflow grammar, the server's error shown under it with a caret at the position),
 * columns, group by, "only differing params", and the actions on the selected runs.
 */
export function ExperimentsToolbar(props: IToolbarProps): JSX.Element {
  const { model, trans } = props;
  const state = model.viewState;
  const selected = model.selected.length;
  const filterError = model.filterError;
  const errorId = 'jp-conveyor-exp-filter-error';
  return (
    <div className="jp-Conveyor-expToolbar">
      <div className="jp-Conveyor-expFilterRow">
        <input
          type="search"
          className={`jp-Conveyor-input jp-Conveyor-expFilter${filterError ? ' jp-mod-invalid' : ''}`}
          placeholder={trans.__("Filter, e.g. metrics.loss < 0.5 and params.lr = '0.01'")}
          aria-label={trans.__('Filter runs (MLflow search syntax)')}
          aria-invalid={!!filterError}
          aria-describedby={filterError ? errorId : undefined}
          spellCheck={false}
          value={model.filterDraft}
          onChange={e => model.setFilterDraft(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter') {
              model.applyFilter();
            }
          }}
          data-testid="conveyor-exp-filter"
        />
        <span className="jp-Conveyor-expTotal" role="status" data-testid="conveyor-exp-total">
          {model.total === null
            ? model.loading
              ? trans.__('Loading…')
              : ''
            : trans._n('%1 run', '%1 runs', model.total)}
        </span>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={props.onRefresh}
          aria-label={trans.__('Refresh runs')}
          title={trans.__('Refresh runs')}
        >
          <refreshIcon.react tag="span" />
        </button>
      </div>
      {filterError && (
        <div id={errorId} className="jp-Conveyor-expFilterError" role="alert" data-testid="conveyor-exp-filter-error">
          <span>{filterError.message}</span>
          {filterError.position !== null && (
            <code className="jp-Conveyor-expFilterAt">
              {state.filter.slice(0, filterError.position)}
              <mark>{state.filter.slice(filterError.position, filterError.position + 1) || ' '}</mark>
              {state.filter.slice(filterError.position + 1)}
            </code>
          )}
        </div>
      )}
      <div className="jp-Conveyor-expControls">
        <ColumnPicker model={model} trans={trans} />
        <label className="jp-Conveyor-expControl">
          {trans.__('Group by')}
          <select
            className="jp-Conveyor-input"
            value={state.groupBy}
            onChange={e => model.setGroupBy(e.target.value)}
            data-testid="conveyor-exp-group-by"
          >
            <option value="">{trans.__('(none)')}</option>
            {model.keys.params.map(k => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-Conveyor-expControl">
          <input
            type="checkbox"
            checked={state.onlyDiffering}
            onChange={e => model.setOnlyDiffering(e.target.checked)}
            data-testid="conveyor-exp-only-differing"
          />
          {trans.__('Only differing params')}
        </label>
        <span className="jp-Conveyor-expActions">
          <span className="jp-Conveyor-expSelected" data-testid="conveyor-exp-selected">
            {selected > 0 ? trans._n('%1 selected', '%1 selected', selected) : ''}
          </span>
          {props.canMark !== false && (
            <>
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-reject"
                disabled={selected === 0}
                onClick={() => props.onMarkCandidate(true)}
                data-testid="conveyor-exp-mark-candidate"
              >
                {trans.__('Mark candidate')}
              </button>
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-reject"
                disabled={selected === 0}
                onClick={() => props.onMarkCandidate(false)}
                data-testid="conveyor-exp-unmark-candidate"
              >
                {trans.__('Unmark')}
              </button>
            </>
          )}
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-reject"
            disabled={selected !== 2}
            title={trans.__('Diff the executed notebooks of the two selected runs')}
            onClick={props.onDiff}
            data-testid="conveyor-exp-diff"
          >
            {trans.__('Diff notebooks')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={props.onCopyLink}
            title={trans.__('Copy a link that opens this view')}
            data-testid="conveyor-exp-copy-link"
          >
            {trans.__('Copy link')}
          </button>
          {props.onShare && (
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-reject"
              onClick={props.onShare}
              aria-label={trans.__('Share this comparison…')}
              title={trans.__('Create a read-only link to these experiments for signed-in users')}
              data-testid="conveyor-exp-share"
            >
              {trans.__('Share…')}
            </button>
          )}
        </span>
      </div>
    </div>
  );
}

/** A popover listing every param, metric (last, min, max) and tag key with a checkbox. */
function ColumnPicker({ model, trans }: { model: ExperimentsModel; trans: TranslationBundle }): JSX.Element {
  const [query, setQuery] = useState('');
  const chosen = new Set(model.dataColumns);
  const match = (k: string) => k.toLowerCase().includes(query.toLowerCase());
  const box = (id: string, label: string) => (
    <label key={id} className="jp-Conveyor-expPick">
      <input type="checkbox" checked={chosen.has(id)} onChange={() => model.toggleColumn(id)} />
      {label}
    </label>
  );
  const { params, metrics, tags } = model.keys;
  return (
    <details className="jp-Conveyor-expColumns" data-testid="conveyor-exp-columns">
      <summary className="jp-Button jp-mod-styled jp-mod-reject">
        {trans.__('Columns (%1)', chosen.size)}
      </summary>
      <div className="jp-Conveyor-expColumnsMenu" role="group" aria-label={trans.__('Columns')}>
        <input
          type="search"
          className="jp-Conveyor-input"
          placeholder={trans.__('Find a key')}
          aria-label={trans.__('Find a column key')}
          value={query}
          onChange={e => setQuery(e.target.value)}
        />
        <fieldset>
          <legend>{trans.__('Params')}</legend>
          {params.filter(match).map(k => box(columnId('param', k), k))}
        </fieldset>
        <fieldset>
          <legend>{trans.__('Metrics')}</legend>
          {metrics.filter(match).map(k => (
            <div key={k} className="jp-Conveyor-expPickMetric">
              {box(columnId('metric', k), k)}
              {box(columnId('metric', k, 'min'), trans.__('min'))}
              {box(columnId('metric', k, 'max'), trans.__('max'))}
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>{trans.__('Tags')}</legend>
          {tags.filter(match).map(k => box(columnId('tag', k), k))}
        </fieldset>
        <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={() => model.setColumns([])}>
          {trans.__('Reset to default')}
        </button>
      </div>
    </details>
  );
}
