import type { DuckDBConnection } from '@duckdb/node-api';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AppError } from '../../core/errors';
import { describe, ident, INTERNAL_PREFIX, literal, one } from './sql';
import type { TableColumn } from './types';

export type SourceFormat = 'csv' | 'parquet';

const CSV_EXTENSIONS = new Set(['.csv', '.tsv', '.txt']);
const PARQUET_EXTENSIONS = new Set(['.parquet', '.pq']);
const DELIMITERS = [',', ';', '\t', '|'];

async function head(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r').catch(() => {
    throw new AppError(400, 'table_unreadable', `Cannot read ${basename(path)}`);
  });
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** CSV or Parquet, from the magic bytes and the extension; anything else is a 400. */
export async function detectFormat(path: string): Promise<SourceFormat> {
  const start = await head(path, 64 * 1024);
  if (start.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const ext = extname(path).toLowerCase();
  if (PARQUET_EXTENSIONS.has(ext)) {
    throw new AppError(400, 'table_malformed', `${basename(path)} is not a Parquet file (no PAR1 magic bytes)`);
  }
  if (!CSV_EXTENSIONS.has(ext) || start.includes(0)) {
    throw new AppError(400, 'not_a_table', `${basename(path)} is not a table: expected a CSV (.csv, .tsv) or Parquet file`);
  }
  return 'csv';
}

function firstLine(message: string): string {
  return message.split('\n').find(l => l.trim()) ?? message;
}

/**
 * The sniffer falls back to one column when rows have differing field counts. When that lone
 * column's name still holds a delimiter, read again with it so DuckDB names the bad line.
 */
function hiddenDelimiter(columns: TableColumn[]): string | null {
  if (columns.length !== 1) return null;
  return DELIMITERS.find(d => columns[0].name.includes(d)) ?? null;
}

/** Where a ragged CSV first has a different number of fields than its header (first 1 MiB). */
async function raggedLine(path: string, delimiter: string): Promise<string> {
  const text = (await head(path, 1024 * 1024)).toString('utf-8');
  const shown = delimiter === '\t' ? 'tab' : `'${delimiter}'`;
  let fields = 1;
  let quoted = false;
  let line = 1;
  let expected = -1;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter) fields++;
    else if (!quoted && ch === '\n') {
      if (expected < 0) expected = fields;
      else if (fields !== expected) return `line ${line} has ${fields} ${shown}-separated fields, the header has ${expected}`;
      fields = 1;
      line++;
    }
  }
  return `its rows have differing numbers of ${shown}-separated fields`;
}

function reader(format: SourceFormat, path: string, delimiter?: string): string {
  if (format === 'parquet') return `read_parquet(${literal(path)})`;
  const delim = delimiter ? `, delim = ${literal(delimiter)}` : '';
  return `read_csv(${literal(path)}${delim}, strict_mode = true)`;
}

/**
 * Loads a CSV or Parquet file into the temp table `name` of `conn` in file order (its `rowid` is
 * the row's position). Malformed or non-table input becomes a 400 with DuckDB's first line.
 */
export async function loadFile(
  conn: DuckDBConnection,
  path: string,
  name: string
): Promise<{ format: SourceFormat; columns: TableColumn[] }> {
  const format = await detectFormat(path);
  const create = (delimiter?: string) =>
    conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(name)} AS SELECT * FROM ${reader(format, path, delimiter)}`);
  try {
    await create();
    let columns = await describe(conn, ident(name));
    const delimiter = format === 'csv' ? hiddenDelimiter(columns) : null;
    if (delimiter) {
      await create(delimiter).catch(async () => {
        throw new AppError(400, 'table_malformed', `Cannot read ${basename(path)} as CSV: ${await raggedLine(path, delimiter)}`);
      });
      columns = await describe(conn, ident(name));
    }
    checkColumns(columns, path);
    return { format, columns };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = firstLine((err as Error).message).replaceAll(path, basename(path));
    const code = /sniff|magic bytes|not a parquet/i.test(message) ? 'not_a_table' : 'table_malformed';
    throw new AppError(400, code, `Cannot read ${basename(path)} as ${format === 'csv' ? 'CSV' : 'Parquet'}: ${message}`);
  }
}

function checkColumns(columns: TableColumn[], path: string): void {
  if (columns.length === 0) throw new AppError(400, 'not_a_table', `${basename(path)} has no columns`);
  const reserved = columns.find(c => c.name.startsWith(INTERNAL_PREFIX));
  if (reserved) {
    throw new AppError(400, 'table_malformed', `Column names may not start with ${INTERNAL_PREFIX}: ${reserved.name}`);
  }
}

/**
 * Checks that `key` names columns of `columns` whose values are present and (unless `unique` is
 * false: the caller checks that more cheaply) unique in `relation`.
 */
export async function checkKey(
  conn: DuckDBConnection,
  relation: string,
  columns: TableColumn[],
  key: string[],
  what: string,
  { unique = true }: { unique?: boolean } = {}
): Promise<void> {
  const names = new Set(columns.map(c => c.name));
  const missing = key.filter(k => !names.has(k));
  if (missing.length) {
    throw new AppError(400, 'key_missing', `Key column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in ${what}`, { missing });
  }
  const keys = key.map(ident).join(', ');
  const nullCheck = key.map(k => `${ident(k)} IS NULL`).join(' OR ');
  const nulls = await one(conn, `SELECT count(*) AS n FROM ${relation} WHERE ${nullCheck}`);
  if (Number(nulls.n) > 0) {
    throw new AppError(400, 'key_null', `${nulls.n} row(s) of ${what} have no value in key ${key.join(', ')}`);
  }
  if (!unique) return;
  const dup = await one(
    conn,
    `SELECT count(*) AS n, any_value(to_json(struct_pack(${key.map(k => `${ident(k)} := ${ident(k)}`).join(', ')}))) AS example
     FROM (SELECT ${keys} FROM ${relation} GROUP BY ALL HAVING count(*) > 1)`
  );
  if (Number(dup.n) > 0) {
    throw new AppError(
      400,
      'key_not_unique',
      `Key ${key.join(', ')} is not unique in ${what}: ${dup.n} value(s) repeat, e.g. ${dup.example}`,
      {
        duplicates: Number(dup.n)
      }
    );
  }
}
