import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ExperimentRunDetail } from '../../schema/generated/api';
import { MetricHistoryChart, ParallelCoordinates, ScatterPlot } from './charts';
import { columnId, quoteKey } from './columns';
import type { ComparisonModel } from './comparison';
import type { ExperimentsModel, Pane } from './model';
import { RunDetailView } from './rundetail';

/** Runs drawn in the history chart at most. */
export const HISTORY_RUNS = 10;
/** Candidates compared side by side at most. */
export const CANDIDATES = 8;
/** Runs a parallel-coordinates brush selects at most (the selection travels in the link). */
export const MAX_BRUSHED = 500;

export interface IPaneProps {
  model: ExperimentsModel;
  comparison: ComparisonModel;
  trans: TranslationBundle;
  /** Side-by-side candidates (the charts owner's CandidateCompare), when available. */
  renderCandidates?: (runs: ExperimentRunDetail[]) => JSX.Element;
}

/**
 * The comparison area under the table: tabs for the open run, metric history of the selected
 * runs, scatter and parallel coordinates over every matching run, and candidates.
 */
export function ComparisonPane(props: IPaneProps): JSX.Element {
  const { model, trans } = props;
  const pane = model.pane;
  const tabs: [Pane, string][] = [
    ['run', trans.__('Run')],
    ['history', trans.__('Metric history')],
    ['scatter', trans.__('Scatter')],
    ['parallel', trans.__('Parallel coordinates')],
    ['candidates', trans.__('Candidates')]
  ];
  return (
    <section className={`jp-Conveyor-expPane${pane ? ' jp-mod-open' : ''}`} aria-label={trans.__('Compare runs')}>
      <div className="jp-Conveyor-expTabs" role="tablist" aria-label={trans.__('Compare runs')}>
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`jp-conveyor-exp-tab-${id}`}
            aria-selected={pane === id}
            className={`jp-Conveyor-expTab${pane === id ? ' jp-mod-active' : ''}`}
            onClick={() => model.setPane(pane === id ? null : id)}
            data-testid={`conveyor-exp-tab-${id}`}
          >
            {label}
          </button>
        ))}
      </div>
      {pane && (
        <div
          className="jp-Conveyor-expPaneBody"
          role="tabpanel"
          aria-labelledby={`jp-conveyor-exp-tab-${pane}`}
          data-testid="conveyor-exp-pane"
        >
          <PaneBody {...props} pane={pane} />
        </div>
      )}
    </section>
  );
}

function PaneBody(props: IPaneProps & { pane: Pane }): JSX.Element {
  const { pane, model, comparison, trans } = props;
  switch (pane) {
    case 'run': {
      const id = model.detailRunId ?? model.selected[0];
      if (!id) {
        return <Hint text={trans.__('Press Enter on a run, or click it, to see its details.')} />;
      }
      const load = comparison.detail(id);
      return (
        <Loaded load={load} trans={trans}>
          {detail => <RunDetailView detail={detail} trans={trans} />}
        </Loaded>
      );
    }
    case 'history':
      return <HistoryBody {...props} />;
    case 'scatter':
    case 'parallel':
      return <ValuesBody {...props} />;
    case 'candidates':
      return <CandidatesBody {...props} />;
  }
}

function HistoryBody({ model, comparison, trans }: IPaneProps): JSX.Element {
  const metrics = model.keys.metrics;
  const state = model.viewState;
  const metric = state.chartColumns?.[0] && metrics.includes(state.chartColumns[0]) ? state.chartColumns[0] : metrics[0];
  let runs = model.selectedRows.map(r => ({ runId: r.runId, name: r.name || r.runId.slice(0, 8) }));
  if (!runs.length && model.detailRunId) {
    runs = [{ runId: model.detailRunId, name: model.detailRunId.slice(0, 8) }];
  }
  if (!metric) {
    return <Hint text={trans.__('These runs logged no metrics.')} />;
  }
  const picker = (
    <label className="jp-Conveyor-expControl">
      {trans.__('Metric')}
      <select
        className="jp-Conveyor-input"
        value={metric}
        onChange={e => model.setChartColumns([e.target.value])}
        data-testid="conveyor-exp-history-metric"
      >
        {metrics.map(k => (
          <option key={k}>{k}</option>
        ))}
      </select>
    </label>
  );
  if (!runs.length) {
    return (
      <>
        {picker}
        <Hint text={trans.__('Select runs (Space or the checkboxes) to draw their history.')} />
      </>
    );
  }
  const load = comparison.history(metric, runs.slice(0, HISTORY_RUNS));
  return (
    <>
      <div className="jp-Conveyor-expPaneControls">
        {picker}
        {runs.length > HISTORY_RUNS && (
          <span className="jp-Conveyor-runMeta">{trans.__('The first %1 selected runs are drawn.', HISTORY_RUNS)}</span>
        )}
      </div>
      {load.error && <ErrorLine text={load.error} />}
      {load.value && load.value.length > 0 && (
        <MetricHistoryChart series={load.value} metric={metric} trans={trans} />
      )}
      {load.loading && !load.value?.length && <Hint text={trans.__('Loading…')} />}
    </>
  );
}

function ValuesBody({ model, comparison, trans, pane }: IPaneProps & { pane: Pane }): JSX.Element {
  const state = model.viewState;
  const { params, metrics } = model.keys;
  const options = [...params.map(k => columnId('param', k)), ...metrics.map(k => columnId('metric', k))];
  if (options.length === 0) {
    return <Hint text={trans.__('No params or metrics to plot.')} />;
  }
  const valid = (state.chartColumns ?? []).filter(c => options.includes(c));
  const differing = model.differingParams.map(k => columnId('param', k));
  const firstMetric = metrics.length ? columnId('metric', metrics[0]) : options[0];
  let columns: string[];
  if (pane === 'scatter') {
    columns = valid.length >= 2 ? valid.slice(0, 2) : [differing[0] ?? options[0], firstMetric];
  } else {
    columns = valid.length >= 2 ? valid.slice(0, 12) : [...differing.slice(0, 6), firstMetric];
    if (columns.length < 2) {
      columns = options.slice(0, 6);
    }
  }
  const load = comparison.values(state.experimentIds, state.filter, columns);
  const select = (runIds: string[]) => model.setSelected(runIds);
  const names = load.value?.names ?? [];
  const col = (id: string) => ({ label: id.replace(/^(params|metrics)\./, ''), values: load.value?.columns[id] ?? [] });
  return (
    <>
      <div className="jp-Conveyor-expPaneControls">
        {pane === 'scatter' ? (
          (['X', 'Y'] as const).map((axis, i) => (
            <label key={axis} className="jp-Conveyor-expControl">
              {axis}
              <select
                className="jp-Conveyor-input"
                value={columns[i]}
                onChange={e => {
                  const next = [...columns];
                  next[i] = e.target.value;
                  model.setChartColumns(next);
                }}
                data-testid={`conveyor-exp-scatter-${axis.toLowerCase()}`}
              >
                {options.map(o => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </label>
          ))
        ) : (
          <details className="jp-Conveyor-expColumns">
            <summary className="jp-Button jp-mod-styled jp-mod-reject">{trans.__('Axes (%1)', columns.length)}</summary>
            <div className="jp-Conveyor-expColumnsMenu" role="group" aria-label={trans.__('Axes')}>
              {options.map(o => (
                <label key={o} className="jp-Conveyor-expPick">
                  <input
                    type="checkbox"
                    checked={columns.includes(o)}
                    onChange={() =>
                      model.setChartColumns(columns.includes(o) ? columns.filter(c => c !== o) : [...columns, o])
                    }
                  />
                  {o}
                </label>
              ))}
            </div>
          </details>
        )}
        {load.value?.truncated && (
          <span className="jp-Conveyor-runMeta">{trans.__('The newest 10,000 matching runs are drawn.')}</span>
        )}
      </div>
      {load.error && <ErrorLine text={load.error} />}
      {load.loading && <Hint text={trans.__('Loading…')} />}
      {load.value && pane === 'scatter' && (
        <ScatterPlot
          x={col(columns[0])}
          y={col(columns[1])}
          names={names}
          trans={trans}
          selected={indicesOf(load.value.runIds, model.selected)}
          onPick={i => model.openDetail(load.value!.runIds[i])}
        />
      )}
      {load.value && pane === 'parallel' && (
        <ParallelCoordinates
          dimensions={columns.map(col)}
          names={names}
          trans={trans}
          onBrush={indices =>
            select(indices.length === names.length ? [] : indices.slice(0, MAX_BRUSHED).map(i => load.value!.runIds[i]))
          }
        />
      )}
    </>
  );
}

function CandidatesBody({ model, comparison, trans, renderCandidates }: IPaneProps): JSX.Element {
  const state = model.viewState;
  const mark = `tags.${quoteKey('conveyor.candidate')} = 'true'`;
  const filter = state.filter ? `${state.filter} and ${mark}` : mark;
  const ids = comparison.values(state.experimentIds, filter, [columnId('tag', 'conveyor.candidate')]);
  if (ids.error) {
    return <ErrorLine text={ids.error} />;
  }
  if (!ids.value) {
    return <Hint text={trans.__('Loading…')} />;
  }
  const runIds = ids.value.runIds.slice(0, CANDIDATES);
  if (!runIds.length) {
    return <Hint text={trans.__('No candidates yet: select runs and press "Mark candidate".')} />;
  }
  const loads = runIds.map(id => comparison.detail(id));
  const error = loads.find(l => l.error)?.error;
  if (error) {
    return <ErrorLine text={error} />;
  }
  const runs = loads.map(l => l.value).filter((d): d is ExperimentRunDetail => !!d);
  if (runs.length < runIds.length) {
    return <Hint text={trans.__('Loading…')} />;
  }
  return renderCandidates ? (
    renderCandidates(runs)
  ) : (
    <div className="jp-Conveyor-expCandidates">
      {runs.map(d => (
        <RunDetailView key={d.run.runId} detail={d} trans={trans} />
      ))}
    </div>
  );
}

function indicesOf(runIds: readonly string[], selected: readonly string[]): number[] {
  const wanted = new Set(selected);
  const out: number[] = [];
  runIds.forEach((id, i) => wanted.has(id) && out.push(i));
  return out;
}

function Loaded<T>(props: {
  load: { value?: T; error?: string; loading: boolean };
  trans: TranslationBundle;
  children: (value: T) => JSX.Element;
}): JSX.Element {
  if (props.load.error) {
    return <ErrorLine text={props.load.error} />;
  }
  if (props.load.value === undefined) {
    return <Hint text={props.trans.__('Loading…')} />;
  }
  return props.children(props.load.value);
}

function Hint({ text }: { text: string }): JSX.Element {
  return <p className="jp-Conveyor-placeholder">{text}</p>;
}

function ErrorLine({ text }: { text: string }): JSX.Element {
  return (
    <p className="jp-Conveyor-error" role="alert">
      {text}
    </p>
  );
}
