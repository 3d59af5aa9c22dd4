import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../core/errors';
import { ORD, rowIndexes, versionSql } from './layers';
import { matchRows } from './match';
import { checkKey } from './read';
import { all, columnList, literal, rowsOfRaw } from './sql';
import type { DiffOptions, DiffSampleRow, Row, SchemaChanges, TableColumn, TableDiff, TableManifest, TableObjectStore } from './types';

const POS = '__cv_pos';

export function schemaChanges(from: TableColumn[], to: TableColumn[]): SchemaChanges {
  const before = new Map(from.map(c => [c.name, c.type]));
  const after = new Map(to.map(c => [c.name, c.type]));
  return {
    added: to.filter(c => !before.has(c.name)),
    removed: from.filter(c => !after.has(c.name)),
    retyped: to
      .filter(c => before.has(c.name) && before.get(c.name) !== c.type)
      .map(c => ({ name: c.name, from: before.get(c.name)!, to: c.type }))
  };
}

function defaultKey(a: TableManifest, b: TableManifest): string[] | null {
  return a.key && JSON.stringify(a.key) === JSON.stringify(b.key) ? a.key : null;
}

/**
 * Materializes a version as `name` with its rows' stored position in `__cv_pos` (unique and in
 * row order; sampled rows get their row index from `rowIndexes`, so no table is sorted here).
 */
async function load(conn: DuckDBConnection, objects: TableObjectStore, m: TableManifest, name: string): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT ${columnList(m.schema)}, ${ORD} AS ${POS} FROM (${await versionSql(objects, m)})`
  );
}

/** How many deltas two versions over the same base chunks share (null: different bases or schemas). */
function sharedDeltas(a: TableManifest, b: TableManifest): number | null {
  const ids = (m: TableManifest) => m.base.map(c => c.md5).join(',');
  if (ids(a) !== ids(b) || JSON.stringify(a.schema) !== JSON.stringify(b.schema)) return null;
  let p = 0;
  while (p < a.deltas.length && p < b.deltas.length && a.deltas[p].md5 === b.deltas[p].md5) p++;
  return p;
}

/**
 * Versions over one base differ only at the positions their own deltas touch: only the rows at
 * those positions are loaded (`__cv_pos` = the stored position), not the whole tables.
 */
async function loadTouched(conn: DuckDBConnection, objects: TableObjectStore, a: TableManifest, b: TableManifest, shared: number) {
  const own = [...a.deltas.slice(shared), ...b.deltas.slice(shared)];
  const paths: string[] = [];
  for (const d of own) paths.push(await objects.verifiedPath(d.md5));
  const touched = paths.length
    ? `SELECT DISTINCT ${ORD} FROM read_parquet([${paths.map(literal).join(', ')}])`
    : `SELECT NULL::DOUBLE AS ${ORD} WHERE false`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE __cv_t AS ${touched}`);
  for (const [name, m] of [
    ['__cv_a', a],
    ['__cv_b', b]
  ] as const) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${name} AS
       SELECT ${columnList(m.schema)}, ${ORD} AS ${POS} FROM (${await versionSql(objects, m)}) WHERE ${ORD} IN (SELECT ${ORD} FROM __cv_t)`
    );
  }
}

function changedColumns(before: Row, after: Row, names: string[]): string[] {
  return names.filter(n => JSON.stringify(before[n] ?? null) !== JSON.stringify(after[n] ?? null));
}

function pick(row: Row, names: string[]): Row {
  return Object.fromEntries(names.filter(n => n in row).map(n => [n, row[n]]));
}

/** Row-level diff of two versions: schema changes, counts, and a bounded sample of rows. */
export async function diffVersions(
  conn: DuckDBConnection,
  objects: TableObjectStore,
  a: TableManifest,
  b: TableManifest,
  options: DiffOptions
): Promise<TableDiff> {
  const schema = schemaChanges(a.schema, b.schema);
  const key = options.key === undefined ? defaultKey(a, b) : options.key?.length ? options.key : null;
  const sampleSize = Math.max(0, Math.min(200, options.sample ?? 20));
  const shared = sharedDeltas(a, b);
  // Keys both versions were ingested with are known unique; any other key is checked on all rows.
  const knownKey = key !== null && JSON.stringify(key) === JSON.stringify(a.key) && JSON.stringify(key) === JSON.stringify(b.key);
  const fast = shared !== null && (key === null || knownKey);
  if (fast) await loadTouched(conn, objects, a, b, shared);
  else {
    await load(conn, objects, a, '__cv_a');
    await load(conn, objects, b, '__cv_b');
  }
  if (key) {
    if (!fast) {
      await checkKey(conn, '__cv_a', a.schema, key, 'the first version', { unique: false });
      await checkKey(conn, '__cv_b', b.schema, key, 'the second version', { unique: false });
    }
    const retyped = schema.retyped.filter(r => key.includes(r.name));
    if (retyped.length)
      throw new AppError(400, 'key_retyped', `Key column ${retyped[0].name} changed type (${retyped[0].from} → ${retyped[0].to})`);
  }
  const retyped = new Set(schema.retyped.map(r => r.name));
  const common = b.schema.filter(c => a.schema.some(x => x.name === c.name)).map(c => ({ name: c.name, cast: retyped.has(c.name) }));
  const counts = await matchRows(conn, {
    oldRel: '__cv_a',
    oldPos: POS,
    newRel: '__cv_b',
    newPos: POS,
    columns: common,
    key,
    byPosition: fast
  });
  // Repeated keys show in the counts (a row matched twice): only then are they looked for, to name them.
  const matched = counts.same + counts.changed;
  if (key && !fast && (matched + counts.added !== b.rowCount || matched + counts.removed !== a.rowCount)) {
    await checkKey(conn, '__cv_a', a.schema, key, 'the first version');
    await checkKey(conn, '__cv_b', b.schema, key, 'the second version');
  }
  const sample =
    sampleSize > 0
      ? await sampleDiff(
          conn,
          a.schema,
          b.schema,
          common.map(c => c.name),
          key,
          sampleSize,
          {
            a: ords => rowIndexes(conn, objects, a, ords),
            b: ords => rowIndexes(conn, objects, b, ords)
          }
        )
      : [];
  return {
    schema,
    matchedBy: key ? 'key' : 'row',
    key,
    rows: { from: a.rowCount, to: b.rowCount },
    added: counts.added,
    removed: counts.removed,
    changed: counts.changed,
    reordered: counts.reordered,
    sample
  };
}

/** Rows of `sql` (which selects `__cv_pos`) with their position. */
async function positionedRaw(conn: DuckDBConnection, sql: string, columns: TableColumn[]): Promise<{ position: number; row: Row }[]> {
  const raw = await all(conn, sql);
  const rows = rowsOfRaw(raw, columns);
  return rows.map((row, i) => ({ position: Number(raw[i][POS]), row }));
}

async function sampleDiff(
  conn: DuckDBConnection,
  from: TableColumn[],
  to: TableColumn[],
  compared: string[],
  key: string[] | null,
  limit: number,
  index: Record<'a' | 'b', (ords: number[]) => Promise<Map<number, number>>>
): Promise<DiffSampleRow[]> {
  const sample: DiffSampleRow[] = [];
  // Stored positions become row indexes in each version.
  const positioned = async (sql: string, columns: TableColumn[], side: 'a' | 'b') => {
    const rows = await positionedRaw(conn, sql, columns);
    const map = await index[side](rows.map(r => r.position));
    return rows.map(r => ({ ...r, position: map.get(r.position) ?? r.position }));
  };
  const changed = (rel: string, on: string) =>
    `SELECT x.* FROM __cv_mnew m JOIN ${rel} x ON x.${POS} = m.${on} WHERE m.kind = 'changed' ORDER BY m.n LIMIT ${limit}`;
  const before = await positioned(changed('__cv_a', 'pord'), from, 'a');
  const after = await positioned(changed('__cv_b', 'n'), to, 'b');
  after.forEach((r, i) => {
    const columns = changedColumns(before[i].row, r.row, compared);
    sample.push({
      kind: 'changed',
      position: r.position,
      key: pick(r.row, key ?? []),
      columns,
      before: pick(before[i].row, columns),
      after: pick(r.row, columns)
    });
  });
  const added = `SELECT b.* FROM __cv_b b JOIN __cv_mnew m ON b.${POS} = m.n WHERE m.kind = 'added' ORDER BY b.${POS} LIMIT ${limit}`;
  for (const r of await positioned(added, to, 'b')) sample.push({ kind: 'added', ...r });
  const removed = `SELECT a.* FROM __cv_a a JOIN __cv_mgone g ON a.${POS} = g.pord ORDER BY a.${POS} LIMIT ${limit}`;
  for (const r of await positioned(removed, from, 'a')) sample.push({ kind: 'removed', ...r });
  return sample;
}
