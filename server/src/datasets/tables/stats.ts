import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, isNested, isNumeric, jsonCell, one } from './sql';
import type { ColumnStats, JsonValue, TableColumn } from './types';

function scalar(value: JsonValue | undefined, type: string): number | string | null {
  if (value === null || value === undefined) return null;
  const cell = jsonCell(value, type);
  if (typeof cell === 'number' || typeof cell === 'string') return cell;
  return JSON.stringify(cell);
}

/** Row count and per-column statistics of `relation` in one scan. */
/** Up to this many rows, distinct counts are exact; above, HyperLogLog estimates. */
export const EXACT_DISTINCT_ROWS = 1_000_000;

export async function computeStats(
  conn: DuckDBConnection,
  relation: string,
  columns: TableColumn[]
): Promise<{ rowCount: number; stats: ColumnStats[] }> {
  const total = await one(conn, `SELECT count(*) AS n FROM ${relation}`);
  const distinct =
    Number(total.n) <= EXACT_DISTINCT_ROWS ? (col: string) => `count(DISTINCT ${col})` : (col: string) => `approx_count_distinct(${col})`;
  const parts = ['count(*) AS rows'];
  columns.forEach((c, i) => {
    const col = ident(c.name);
    parts.push(`count(${col}) AS c${i}`, `${distinct(col)} AS d${i}`);
    if (!isNested(c.type)) parts.push(`min(${col}) AS lo${i}`, `max(${col}) AS hi${i}`);
    if (isNumeric(c.type)) parts.push(`avg(${col})::DOUBLE AS m${i}`);
  });
  const r = await one(conn, `SELECT ${parts.join(', ')} FROM ${relation}`);
  const rowCount = Number(r.rows);
  const stats = columns.map((c, i): ColumnStats => {
    const s: ColumnStats = {
      name: c.name,
      type: c.type,
      nulls: rowCount - Number(r[`c${i}`]),
      min: scalar(r[`lo${i}`], c.type),
      max: scalar(r[`hi${i}`], c.type),
      distinct: Number(r[`d${i}`])
    };
    if (isNumeric(c.type)) {
      const mean = r[`m${i}`];
      s.mean = mean === null || mean === undefined ? null : Number(mean);
    }
    return s;
  });
  return { rowCount, stats };
}
