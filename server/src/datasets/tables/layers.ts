import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../core/errors';
import { columnList, ident, literal } from './sql';
import type { StoredObject, TableManifest, TableObjectStore } from './types';

/** Row position of a stored row: integer in a base, fractional for rows inserted later. */
export const ORD = '__cv_ord';
/** True in a delta row that removes the row at its position. */
export const DEL = '__cv_del';
const LAYER = '__cv_layer';

export const FORMAT = 'conveyor-table/1';
/** Rows per base chunk object. */
export const CHUNK_ROWS = 1_000_000;
const PARQUET = 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880';

export async function readManifest(objects: TableObjectStore, md5: string): Promise<TableManifest> {
  const text = await readFile(await objects.verifiedPath(md5), 'utf-8');
  let manifest: TableManifest;
  try {
    manifest = JSON.parse(text) as TableManifest;
  } catch {
    throw new AppError(400, 'not_a_table_version', `Object ${md5} is not a table manifest`);
  }
  if (manifest?.format !== FORMAT) throw new AppError(400, 'not_a_table_version', `Object ${md5} is not a table manifest`);
  return manifest;
}

/** Rows in the base chunks of a version. */
export function baseRows(m: TableManifest): number {
  return m.base.reduce((sum, c) => sum + c.rows, 0);
}

/**
 * SQL of the last entry per position of the given deltas (columns, `__cv_ord`, `__cv_del`), or
 * null when there are none. Each object is checked against its md5 before DuckDB reads it.
 */
export async function deltasSql(objects: TableObjectStore, m: TableManifest, deltas = m.deltas): Promise<string | null> {
  if (deltas.length === 0) return null;
  const cols = columnList(m.schema);
  const parts: string[] = [];
  for (const [i, delta] of deltas.entries()) {
    const path = await objects.verifiedPath(delta.md5);
    parts.push(`SELECT ${cols}, ${ORD}, ${DEL}, ${i} AS ${LAYER} FROM read_parquet(${literal(path)})`);
  }
  return `SELECT * EXCLUDE (${LAYER}) FROM (${parts.join(' UNION ALL ')}) QUALIFY row_number() OVER (PARTITION BY ${ORD} ORDER BY ${LAYER} DESC) = 1`;
}

/** A range of stored positions (null: unbounded on that side). */
export interface OrdRange {
  lo: number | null;
  hi: number | null;
}

/**
 * SQL of the rows of a version with their position `__cv_ord` (unordered; ORDER BY __cv_ord for
 * the version's row order), optionally only those in `range` (base chunks outside it are not
 * read). Every object read is checked against its md5 before DuckDB reads it.
 */
export async function versionSql(objects: TableObjectStore, m: TableManifest, range?: OrdRange): Promise<string> {
  const cols = columnList(m.schema);
  const lo = range?.lo ?? -Infinity;
  const hi = range?.hi ?? Infinity;
  const base: string[] = [];
  let offset = 0;
  for (const chunk of m.base) {
    const start = offset;
    offset += chunk.rows;
    if (start > hi || offset - 1 < lo) continue;
    const path = await objects.verifiedPath(chunk.md5);
    const where = range
      ? ` WHERE file_row_number BETWEEN ${Math.max(0, Math.ceil(lo - start))} AND ${Math.min(chunk.rows, Math.floor(hi - start))}`
      : '';
    base.push(
      `SELECT ${cols}, (${start} + file_row_number)::DOUBLE AS ${ORD} FROM read_parquet(${literal(path)}, file_row_number = true)${where}`
    );
  }
  const baseSql = base.length ? base.join(' UNION ALL ') : `SELECT ${nullRow(m)}, NULL::DOUBLE AS ${ORD} WHERE false`;
  const last = await deltasSql(objects, m);
  if (!last) return baseSql;
  const inRange = range
    ? ` AND ${ORD} BETWEEN ${Number.isFinite(lo) ? lo : "'-infinity'::DOUBLE"} AND ${Number.isFinite(hi) ? hi : "'infinity'::DOUBLE"}`
    : '';
  return `WITH __cv_d AS (${last}), __cv_b AS (${baseSql})
    SELECT ${cols}, ${ORD} FROM __cv_b WHERE ${ORD} NOT IN (SELECT ${ORD} FROM __cv_d)
    UNION ALL SELECT ${cols}, ${ORD} FROM __cv_d WHERE NOT ${DEL}${inRange}`;
}

/**
 * The 0-based row index in a version of rows at stored positions `ords`, from its deltas alone:
 * base rows before x, less the base rows the deltas replace or remove before x, plus the delta
 * rows alive before x.
 */
export async function rowIndexes(
  conn: DuckDBConnection,
  objects: TableObjectStore,
  m: TableManifest,
  ords: number[]
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (ords.length === 0) return out;
  const n = baseRows(m);
  const d = (await deltasSql(objects, m)) ?? `SELECT NULL::DOUBLE AS ${ORD}, NULL::BOOLEAN AS ${DEL} WHERE false`;
  const list = ords.map(o => `(${o}::DOUBLE)`).join(', ');
  const reader = await conn.runAndReadAll(
    `WITH d AS (SELECT ${ORD} AS o, ${DEL} AS del FROM (${d})), s(x) AS (VALUES ${list})
     SELECT x, greatest(0, least(${n}, ceil(x)))::BIGINT
       - count(o) FILTER (o = floor(o) AND o >= 0 AND o < ${n}) + count(o) FILTER (NOT del) AS i
     FROM s LEFT JOIN d ON d.o < s.x GROUP BY x`
  );
  for (const r of reader.getRowObjectsJson()) out.set(Number(r.x), Number(r.i));
  return out;
}

function nullRow(m: TableManifest): string {
  return m.schema.map(c => `NULL::${c.type} AS ${ident(c.name)}`).join(', ');
}

/** Writes files into the store's tmp dir and moves them in; counts the bytes that were new. */
export class ObjectWriter {
  newBytes = 0;
  private readonly dir: string;

  constructor(readonly objectsStore: TableObjectStore) {
    this.dir = objectsStore.tmpDir();
  }

  tmpPath(ext: string): string {
    return join(this.dir, `table-${randomBytes(8).toString('hex')}.${ext}`);
  }

  async put(path: string, rows: number): Promise<StoredObject> {
    try {
      const { md5, size, created } = await this.objectsStore.putFile(path);
      if (created) this.newBytes += size;
      return { md5, size, rows };
    } finally {
      await rm(path, { force: true });
    }
  }

  /** `COPY (sql) TO` a Parquet file, stored as an object. */
  async parquet(conn: DuckDBConnection, sql: string, rows: number): Promise<StoredObject> {
    await mkdir(this.dir, { recursive: true });
    const path = this.tmpPath('parquet');
    try {
      await conn.run(`COPY (${sql}) TO ${literal(path)} (${PARQUET})`);
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return this.put(path, rows);
  }

  async json(value: unknown): Promise<StoredObject> {
    await mkdir(this.dir, { recursive: true });
    const path = this.tmpPath('json');
    await writeFile(path, JSON.stringify(value));
    return this.put(path, 0);
  }
}

/**
 * Base chunks of the temp table `relation` in insertion order (`rowid`), CHUNK_ROWS rows each. A
 * scan keeps insertion order (preserve_insertion_order), so no chunk is sorted.
 */
export async function writeBase(
  conn: DuckDBConnection,
  writer: ObjectWriter,
  relation: string,
  m: Pick<TableManifest, 'schema' | 'rowCount'>
): Promise<StoredObject[]> {
  const cols = columnList(m.schema);
  const chunks: StoredObject[] = [];
  for (let start = 0; start < m.rowCount || chunks.length === 0; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, m.rowCount - start);
    chunks.push(
      await writer.parquet(
        conn,
        `SELECT ${cols} FROM ${relation} WHERE rowid >= ${start} AND rowid < ${start + CHUNK_ROWS}`,
        rows
      )
    );
  }
  return chunks;
}
