import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ExperimentRunDetail } from '../../schema/generated/api';
import { formatValue } from './columns';

/**
 * One tracked run: params, metrics (last, min, max, count), tags, lineage and artifacts.
 */
export function RunDetailView({
  detail,
  trans
}: {
  detail: ExperimentRunDetail;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, lineage, artifacts } = detail;
  const lineageRows: [string, string | number | null][] = [
    [trans.__('User'), lineage.user],
    [trans.__('Conveyor run'), lineage.conveyorRunId],
    [trans.__('Step'), lineage.step],
    [trans.__('Notebook hash'), lineage.notebookHash],
    [trans.__('Git commit'), lineage.gitCommit],
    [trans.__('Image digest'), lineage.imageDigest],
    [trans.__('Profile'), lineage.profile],
    [trans.__('Cost (USD)'), lineage.cost]
  ];
  const userTags = Object.entries(run.tags).filter(([k]) => !k.startsWith('mlflow.') && !k.startsWith('conveyor.'));
  return (
    <article className="jp-Conveyor-expDetail" data-testid="conveyor-exp-detail" data-run-id={run.runId}>
      <header className="jp-Conveyor-expDetailHead">
        <h3>
          {run.candidate && <span className="jp-Conveyor-expCandidate">★ </span>}
          {run.name || run.runId}
        </h3>
        <span className="jp-Conveyor-runMeta jp-Conveyor-mono">{run.runId}</span>
        <span className={`jp-Conveyor-expStatus jp-mod-${run.status.toLowerCase()}`}>{run.status.toLowerCase()}</span>
        <span className="jp-Conveyor-runMeta">{run.experimentName}</span>
      </header>
      <div className="jp-Conveyor-expDetailGrid">
        <KeyValues
          title={trans.__('Params')}
          rows={Object.entries(run.params).map(([k, v]) => [k, v ?? null])}
          empty={trans.__('No params.')}
        />
        <section aria-label={trans.__('Metrics')}>
          <h4>{trans.__('Metrics')}</h4>
          {Object.keys(run.metrics).length === 0 ? (
            <p className="jp-Conveyor-placeholder">{trans.__('No metrics.')}</p>
          ) : (
            <table className="jp-Conveyor-table">
              <thead>
                <tr>
                  <th scope="col">{trans.__('Metric')}</th>
                  <th scope="col">{trans.__('Last')}</th>
                  <th scope="col">{trans.__('Min')}</th>
                  <th scope="col">{trans.__('Max')}</th>
                  <th scope="col">{trans.__('Steps')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(run.metrics).map(([k, m]) => m && (
                  <tr key={k}>
                    <th scope="row" className="jp-Conveyor-mono">
                      {k}
                    </th>
                    <td>{formatValue(m.value)}</td>
                    <td>{formatValue(m.min)}</td>
                    <td>{formatValue(m.max)}</td>
                    <td>{m.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <KeyValues
          title={trans.__('Lineage')}
          rows={lineageRows.filter(([, v]) => v !== null && v !== '')}
          empty={trans.__('No lineage (logged from outside a pipeline).')}
        />
        {userTags.length > 0 && (
          <KeyValues title={trans.__('Tags')} rows={userTags.map(([k, v]) => [k, v ?? null])} empty="" />
        )}
        {artifacts.length > 0 && (
          <KeyValues
            title={trans.__('Artifacts')}
            rows={artifacts.map(a => [a.path, trans.__('%1 bytes', a.size)])}
            empty=""
          />
        )}
      </div>
    </article>
  );
}

function KeyValues({
  title,
  rows,
  empty
}: {
  title: string;
  rows: [string, string | number | null][];
  empty: string;
}): JSX.Element {
  return (
    <section aria-label={title}>
      <h4>{title}</h4>
      {rows.length === 0 ? (
        <p className="jp-Conveyor-placeholder">{empty}</p>
      ) : (
        <table className="jp-Conveyor-table">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row" className="jp-Conveyor-mono">
                  {k}
                </th>
                <td className="jp-Conveyor-mono">{formatValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
