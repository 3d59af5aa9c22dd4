import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import React, { useMemo, useState } from 'react';

import { CandidateRun, compareRows, ICompareRow, Section } from './rows';

export interface ICandidateCompareProps {
  /** Run details (`GET /experiments/runs/{id}`), optionally with their registered model versions. */
  runs: CandidateRun[];
  trans?: TranslationBundle;
}

/**
 * Candidate runs side by side: rows that differ are highlighted, the best value of each metric
 * is marked, and "Only differing" hides the rows where every run agrees.
 */
export function CandidateCompare({
  runs,
  trans = nullTranslator.load('jupyterlab_conveyor')
}: ICandidateCompareProps): JSX.Element {
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  const rows = useMemo(() => compareRows(runs), [runs]);
  const titles: Record<Section, string> = {
    run: trans.__('Run'),
    params: trans.__('Parameters'),
    metrics: trans.__('Metrics'),
    tags: trans.__('Tags'),
    lineage: trans.__('Lineage'),
    models: trans.__('Registered models')
  };
  if (runs.length === 0) {
    return (
      <p className="jp-Conveyor-placeholder" data-testid="conveyor-candidates-empty">
        {trans.__('Mark runs as candidates to compare them here.')}
      </p>
    );
  }
  const visible = onlyDiffering && runs.length > 1 ? rows.filter(r => r.differs) : rows;
  const sections = (Object.keys(titles) as Section[])
    .map(section => ({ section, rows: visible.filter(r => r.section === section) }))
    .filter(s => s.rows.length);
  const differing = rows.filter(r => r.differs).length;

  return (
    <div className="jp-Conveyor-candidates" data-testid="conveyor-candidates">
      <div className="jp-Conveyor-chartToolbar">
        <label className="jp-Conveyor-chartOption">
          <input
            type="checkbox"
            checked={onlyDiffering}
            onChange={e => setOnlyDiffering(e.currentTarget.checked)}
            data-testid="conveyor-candidates-only-differing"
          />
          {trans.__('Only differing')}
        </label>
        <span className="jp-Conveyor-chartNote">
          {trans.__('%1 of %2 rows differ', differing, rows.length)}
        </span>
      </div>
      <div className="jp-Conveyor-candidatesScroll">
        <table
          className="jp-Conveyor-table jp-Conveyor-candidatesTable"
          aria-label={trans.__('Comparison of %1 candidate runs', runs.length)}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Field')}</th>
              {runs.map(r => (
                <th key={r.run.runId} scope="col" title={r.run.runId}>
                  {r.run.name}
                  <span className="jp-Conveyor-mono jp-Conveyor-candidatesId">{r.run.runId.slice(0, 8)}</span>
                </th>
              ))}
            </tr>
          </thead>
          {sections.map(({ section, rows: sectionRows }) => (
            <tbody key={section} data-section={section}>
              <tr className="jp-Conveyor-candidatesSection">
                <th scope="rowgroup" colSpan={runs.length + 1}>
                  {titles[section]}
                </th>
              </tr>
              {sectionRows.map(row => (
                <CompareRow key={`${section}:${row.key}`} row={row} trans={trans} />
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}

function CompareRow({ row, trans }: { row: ICompareRow; trans: TranslationBundle }): JSX.Element {
  return (
    <tr
      className={row.differs ? 'jp-Conveyor-candidatesRow jp-mod-differs' : 'jp-Conveyor-candidatesRow'}
      data-testid="conveyor-candidates-row"
      data-key={row.key}
      data-differs={row.differs}
    >
      <th scope="row" className="jp-Conveyor-mono">
        {row.key}
        {row.lowerIsBetter !== undefined && (
          <span className="jp-Conveyor-runMeta">
            {' '}
            {row.lowerIsBetter ? trans.__('(lower is better)') : trans.__('(higher is better)')}
          </span>
        )}
      </th>
      {row.cells.map((cell, i) => {
        const best = row.best.includes(i);
        return (
          <td key={i} className={`jp-Conveyor-mono${best ? ' jp-mod-best' : ''}`} data-best={best || undefined}>
            {cell ?? '—'}
            {best && (
              <span className="jp-Conveyor-bestMark" aria-label={trans.__('best')} title={trans.__('best')}>
                {' ★'}
              </span>
            )}
          </td>
        );
      })}
    </tr>
  );
}
