import type { TranslationBundle } from '@jupyterlab/translation';
import React, { useState } from 'react';

import { formatExact, RawValue } from './values';

/** Rows shown in a chart's data table; the rest are counted. */
export const TABLE_LIMIT = 500;

/**
 * The values behind a chart as a table in a closed `<details>`: what screen readers (and anyone
 * wanting exact numbers) read. Rows render only once it is opened.
 */
export function DataTable({
  caption,
  columns,
  rows,
  trans
}: {
  caption: string;
  columns: string[];
  rows: { key: string | number; cells: RawValue[] }[];
  trans: TranslationBundle;
}): JSX.Element {
  const [open, setOpen] = useState(false);
  const shown = rows.slice(0, TABLE_LIMIT);
  return (
    <details
      className="jp-Conveyor-chartTable"
      onToggle={e => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{trans.__('Data table (%1 rows)', rows.length)}</summary>
      {open && (
        <table className="jp-Conveyor-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              {columns.map(c => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map(row => (
              <tr key={row.key}>
                {row.cells.map((cell, i) => (
                  <td key={i} className="jp-Conveyor-mono">
                    {formatExact(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && rows.length > shown.length && (
        <p className="jp-Conveyor-placeholder">
          {trans.__('First %1 of %2 rows.', shown.length, rows.length)}
        </p>
      )}
    </details>
  );
}
