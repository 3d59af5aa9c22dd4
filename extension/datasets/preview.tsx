import type { TranslationBundle } from '@jupyterlab/translation';
import { downloadIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { formatBytes } from '../runs/format';
import type { DatasetColumnStats, DatasetFile, DatasetPreview } from './types';

/** A cell as text: null as an empty cell, objects as JSON, long fractions to 6 digits. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number' && !Number.isInteger(value) && String(value).length > 10) {
    return String(Number(value.toPrecision(6)));
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

/** The rows of a preview as arrays in schema order, whether the server sent objects or arrays. */
export function rowCells(preview: DatasetPreview): unknown[][] {
  const names = preview.schema.map(c => c.name);
  return preview.rows.map(row => (Array.isArray(row) ? row : names.map(n => (row as Record<string, unknown>)[n])));
}

/** The stats of each column by name, whether the server sent a map or a list. */
export function statsByColumn(preview: DatasetPreview): Map<string, DatasetColumnStats> {
  const stats = preview.stats;
  if (!stats) {
    return new Map();
  }
  if (Array.isArray(stats)) {
    return new Map(stats.map(s => [String(s.column ?? s.name ?? ''), s]));
  }
  return new Map(Object.entries(stats));
}

/** The statistics worth a column in the schema table, in this order. */
const STAT_KEYS = ['nulls', 'distinct', 'min', 'max', 'mean'];

/** A table version: schema with column stats, then the first rows. */
export function TablePreview(props: { preview: DatasetPreview; trans: TranslationBundle }): JSX.Element {
  const { preview, trans } = props;
  const stats = statsByColumn(preview);
  const statKeys = STAT_KEYS.filter(k => [...stats.values()].some(s => s[k] !== undefined && s[k] !== null));
  const rows = rowCells(preview);
  return (
    <div className="jp-Conveyor-datasetPreview" data-testid="conveyor-dataset-preview">
      <h3>{trans._n('%1 row', '%1 rows', preview.rowCount)}</h3>
      <table className="jp-Conveyor-datasetTable" aria-label={trans.__('Schema and column statistics')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Column')}</th>
            <th scope="col">{trans.__('Type')}</th>
            {statKeys.map(k => (
              <th scope="col" key={k}>
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.schema.map(c => (
            <tr key={c.name} data-column={c.name}>
              <th scope="row">{c.name}</th>
              <td className="jp-Conveyor-mono">{c.type}</td>
              {statKeys.map(k => (
                <td key={k} className="jp-Conveyor-mono">
                  {cellText(stats.get(c.name)?.[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{trans.__('First %1 rows', rows.length)}</h3>
      <div className="jp-Conveyor-datasetTableScroll" tabIndex={0} role="region" aria-label={trans.__('First rows')}>
        <table className="jp-Conveyor-datasetTable" data-testid="conveyor-dataset-rows">
          <thead>
            <tr>
              {preview.schema.map(c => (
                <th scope="col" key={c.name}>
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j} className="jp-Conveyor-mono">
                    {cellText(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * A files version: its manifest as a table (path, size, md5), each file with a download link
 * (`fileUrl`: the verified bytes from `…/files/<path>`).
 */
export function FileList(props: {
  files: DatasetFile[];
  truncated?: boolean;
  fileUrl: (path: string) => string;
  trans: TranslationBundle;
}): JSX.Element {
  const { files, trans, fileUrl } = props;
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <div className="jp-Conveyor-datasetTableScroll" tabIndex={0} role="region" aria-label={trans.__('Files')}>
      <table className="jp-Conveyor-datasetTable" data-testid="conveyor-dataset-files">
        <thead>
          <tr>
            <th scope="col">{trans.__('Path')}</th>
            <th scope="col">{trans.__('Size')}</th>
            <th scope="col">md5</th>
            <th scope="col">
              <span className="jp-Conveyor-datasetSrOnly">{trans.__('Download')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map(f => (
            <tr key={f.path} data-path={f.path}>
              <td className="jp-Conveyor-mono">{f.path}</td>
              <td>{f.size === null ? '—' : formatBytes(f.size)}</td>
              <td className="jp-Conveyor-mono">{f.md5 ?? ''}</td>
              <td>
                <a
                  className="jp-Conveyor-iconButton jp-Conveyor-datasetDownload"
                  href={fileUrl(f.path)}
                  download={f.path.split('/').pop()}
                  aria-label={trans.__('Download %1', f.path)}
                  title={trans.__('Download %1', f.path)}
                >
                  <downloadIcon.react tag="span" />
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.truncated && (
        <p className="jp-Conveyor-placeholder">{trans.__('Only the first %1 files are listed.', files.length)}</p>
      )}
    </div>
  );
}
