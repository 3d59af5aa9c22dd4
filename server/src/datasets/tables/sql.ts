import type { DuckDBConnection } from '@duckdb/node-api';
import type { JsonValue, Row, TableColumn } from './types';

/** Names the engine adds to its own relations; input columns may not start with it. */
export const INTERNAL_PREFIX = '__cv_';

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function columnList(columns: TableColumn[], prefix = ''): string {
  return columns.map(c => `${prefix}${ident(c.name)}`).join(', ');
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const NESTED = /[[\]]|^(STRUCT|MAP|UNION)\(/;

export function isNumeric(type: string): boolean {
  return NUMERIC.test(type);
}

export function isNested(type: string): boolean {
  return NESTED.test(type);
}

/** A JSON value of a DuckDB JSON-converted cell: integers that fit in a double become numbers. */
export function jsonCell(value: unknown, type: string): JsonValue {
  if (typeof value === 'string' && (INTEGER.test(type) || type.startsWith('DECIMAL'))) {
    const n = Number(value);
    if (Number.isFinite(n) && (!INTEGER.test(type) || Number.isSafeInteger(n))) return n;
  }
  return value as JsonValue;
}

export async function all(conn: DuckDBConnection, sql: string): Promise<Record<string, JsonValue>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, JsonValue>[];
}

export async function one(conn: DuckDBConnection, sql: string): Promise<Record<string, JsonValue>> {
  const rows = await all(conn, sql);
  return rows[0] ?? {};
}

export function num(value: JsonValue | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** Rows of a query as JSON objects typed by `columns` (internal columns dropped). */
export async function rowsOf(conn: DuckDBConnection, sql: string, columns: TableColumn[]): Promise<Row[]> {
  return rowsOfRaw(await all(conn, sql), columns);
}

/** JSON rows typed by `columns`, internal columns dropped. */
export function rowsOfRaw(rows: Record<string, JsonValue>[], columns: TableColumn[]): Row[] {
  const types = new Map(columns.map(c => [c.name, c.type]));
  return rows.map(raw => {
    const row: Row = {};
    for (const [name, value] of Object.entries(raw)) {
      if (name.startsWith(INTERNAL_PREFIX)) continue;
      row[name] = jsonCell(value, types.get(name) ?? 'VARCHAR');
    }
    return row;
  });
}

/** The columns of a relation, in order. */
export async function describe(conn: DuckDBConnection, relation: string): Promise<TableColumn[]> {
  const rows = await all(conn, `DESCRIBE ${relation}`);
  return rows.map(r => ({
    name: String(r.column_name),
    type: String(r.column_type)
  }));
}
