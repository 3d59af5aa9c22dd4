import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { cellText } from './preview';
import type { DiffSampleRow, TableDiff } from './types';

/** Schema changes as lines: "+ col: INT", "− col: VARCHAR", "~ col: INT → BIGINT". */
export function schemaChanges(schema: TableDiff['schema']): string[] {
  if (!schema) {
    return [];
  }
  return [
    ...(schema.added ?? []).map(c => `+ ${c.name}: ${c.type}`),
    ...(schema.removed ?? []).map(c => `− ${c.name}: ${c.type}`),
    ...(schema.retyped ?? []).map(c => `~ ${c.name}: ${c.from} → ${c.to}`)
  ];
}

/** The columns a sample shows, in first-seen order. */
export function sampleColumns(sample: DiffSampleRow[]): string[] {
  const seen = new Set<string>();
  for (const row of sample) {
    const rows = row.kind === 'changed' ? [row.key ?? {}, row.before, row.after] : [row.row];
    rows.forEach(r => Object.keys(r).forEach(k => seen.add(k)));
  }
  return [...seen];
}

/** A sample row's cell: the value, or "before → after" for a changed column. */
export function sampleCell(row: DiffSampleRow, column: string): { text: string; changed: boolean } {
  if (row.kind !== 'changed') {
    return { text: cellText(row.row[column]), changed: false };
  }
  if (row.columns.includes(column)) {
    return { text: `${cellText(row.before[column])} → ${cellText(row.after[column])}`, changed: true };
  }
  const value = row.key?.[column] ?? row.after[column] ?? row.before[column];
  return { text: cellText(value), changed: false };
}

/** The row-level diff of two table versions: counts, schema changes, a sample of rows. */
export function TableDiffView({ table, trans }: { table: TableDiff; trans: TranslationBundle }): JSX.Element {
  const schema = schemaChanges(table.schema);
  const sample = table.sample ?? [];
  const columns = sampleColumns(sample);
  const kindLabel = (kind: DiffSampleRow['kind']) =>
    kind === 'added' ? trans.__('added') : kind === 'removed' ? trans.__('removed') : trans.__('changed');
  return (
    <section aria-label={trans.__('Rows')} data-testid="conveyor-dataset-diff-table">
      <h3>{trans.__('Rows')}</h3>
      <p data-testid="conveyor-dataset-diff-rows">
        {trans.__('%1 added, %2 removed, %3 changed', table.added ?? 0, table.removed ?? 0, table.changed ?? 0)}
        {table.rows && ` · ${trans.__('%1 → %2 rows', table.rows.from, table.rows.to)}`}
        {table.matchedBy &&
          ` · ${
            table.matchedBy === 'key' && table.key?.length
              ? trans.__('matched by %1', table.key.join(', '))
              : trans.__('matched by row content')
          }`}
      </p>
      {table.reordered && (
        <p className="jp-Conveyor-placeholder">{trans.__('Unchanged rows moved: changes by content are not paired.')}</p>
      )}
      {schema.length > 0 && (
        <>
          <h4>{trans.__('Schema changes')}</h4>
          <ul className="jp-Conveyor-datasetSchemaChanges" data-testid="conveyor-dataset-diff-schema">
            {schema.map(line => (
              <li key={line} className="jp-Conveyor-mono">
                {line}
              </li>
            ))}
          </ul>
        </>
      )}
      {sample.length > 0 && (
        <>
          <h4>{trans.__('Sample of rows')}</h4>
          <div className="jp-Conveyor-datasetTableScroll" tabIndex={0} role="region" aria-label={trans.__('Sample of rows')}>
            <table className="jp-Conveyor-datasetTable">
              <thead>
                <tr>
                  <th scope="col">{trans.__('Change')}</th>
                  <th scope="col">{trans.__('Row')}</th>
                  {columns.map(c => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sample.map((row, i) => (
                  <tr key={i} className={`jp-mod-${row.kind}`}>
                    <td>{kindLabel(row.kind)}</td>
                    <td className="jp-Conveyor-mono">{row.position}</td>
                    {columns.map(c => {
                      const cell = sampleCell(row, c);
                      return (
                        <td key={c} className={`jp-Conveyor-mono${cell.changed ? ' jp-mod-changed' : ''}`}>
                          {cell.text}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
