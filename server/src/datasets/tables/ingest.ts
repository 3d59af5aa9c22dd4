import type { DuckDBConnection } from '@duckdb/node-api';
import { DEL, FORMAT, ORD, ObjectWriter, readManifest, versionSql, writeBase } from './layers';
import { assignPositions, matchRows } from './match';
import { checkKey, loadFile } from './read';
import { columnList, ident } from './sql';
import { computeStats } from './stats';
import type { IngestOptions, IngestResult, StoredObject, TableColumn, TableManifest, TableObjectStore } from './types';

/** A version chain longer than this, or deltas holding more than this share of the base rows, is compacted into a new base. */
export const MAX_DELTAS = 16;
export const MAX_DELTA_SHARE = 0.5;

type Reason = NonNullable<IngestResult['storage']['reason']>;

function sameSchema(a: TableColumn[], b: TableColumn[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && c.type === b[i].type);
}

function sameKey(a: string[] | null, b: string[] | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Reads a CSV or Parquet file and stores it as a new table version (see TableEngine.ingest). */
export async function ingestFile(
  conn: DuckDBConnection,
  objects: TableObjectStore,
  filePath: string,
  options: IngestOptions
): Promise<IngestResult> {
  const { format, columns } = await loadFile(conn, filePath, 'src');
  const previous = options.previous ? await readManifest(objects, options.previous) : null;
  const key = options.key?.length ? options.key : (previous?.key ?? null);
  if (key) await checkKey(conn, 'src', columns, key, 'the file');
  const { rowCount, stats } = await computeStats(conn, 'src', columns);
  const writer = new ObjectWriter(objects);
  const head = {
    format: FORMAT,
    schema: columns,
    rowCount,
    key,
    source: format,
    stats
  } as const;

  let manifest: TableManifest | null = null;
  let reason: Reason | undefined;
  let counts = { added: rowCount, removed: 0, changed: 0 };
  if (previous) {
    const delta = await tryDelta(conn, writer, previous, head);
    if ('reason' in delta) reason = delta.reason;
    else {
      manifest = delta.manifest;
      counts = delta.counts;
    }
  }
  if (!manifest) {
    const base = await writeBase(conn, writer, 'src', head);
    manifest = { ...head, base, deltas: [] };
  }
  const root = await writer.json(manifest);
  const objectsBytes = [...manifest.base, ...manifest.deltas].reduce((sum, o) => sum + o.size, 0);
  return {
    manifest: root.md5,
    schema: columns,
    rowCount,
    key,
    stats,
    storage: {
      mode: previous && !reason ? 'delta' : 'base',
      ...(reason ? { reason } : {}),
      baseChunks: manifest.base.length,
      deltas: manifest.deltas.length,
      ...counts
    },
    storedBytes: writer.newBytes,
    totalBytes: objectsBytes + root.size
  };
}

type DeltaAttempt =
  | { reason: Reason }
  | {
      manifest: TableManifest;
      counts: { added: number; removed: number; changed: number };
    };

async function tryDelta(
  conn: DuckDBConnection,
  writer: ObjectWriter,
  previous: TableManifest,
  head: Omit<TableManifest, 'base' | 'deltas'>
): Promise<DeltaAttempt> {
  if (!sameSchema(previous.schema, head.schema)) return { reason: 'schema_changed' };
  if (previous.deltas.length + 1 > MAX_DELTAS) return { reason: 'compaction' };
  await conn.run(`CREATE OR REPLACE TEMP TABLE old AS ${await versionSql(writer.objectsStore, previous)}`);
  // Rows are matched by key only when the previous version was keyed the same way (its keys are unique).
  const key = head.key && sameKey(previous.key, head.key) ? head.key : null;
  const counts = await matchRows(conn, {
    oldRel: 'old',
    oldPos: ORD,
    newRel: 'src',
    newPos: 'rowid',
    columns: head.schema.map(c => ({ name: c.name })),
    key
  });
  if (counts.reordered) return { reason: 'reordered' };
  const rows = counts.added + counts.changed + counts.removed;
  const baseRows = previous.base.reduce((sum, c) => sum + c.rows, 0);
  const deltaRows = previous.deltas.reduce((sum, d) => sum + d.rows, 0) + rows;
  if (deltaRows > MAX_DELTA_SHARE * Math.max(baseRows, head.rowCount)) return { reason: 'compaction' };
  const tally = {
    added: counts.added,
    removed: counts.removed,
    changed: counts.changed
  };
  if (rows === 0)
    return {
      manifest: { ...head, base: previous.base, deltas: previous.deltas },
      counts: tally
    };
  if (counts.added === 0) await conn.run('CREATE OR REPLACE TEMP TABLE __cv_ords (n BIGINT, ord DOUBLE)');
  else if (!(await assignPositions(conn))) return { reason: 'positions_exhausted' };
  const delta = await writeDelta(conn, writer, head.schema);
  return {
    manifest: {
      ...head,
      base: previous.base,
      deltas: [...previous.deltas, { ...delta, ...tally }]
    },
    counts: tally
  };
}

/** Upserts (changed rows at their old position, added rows at new ones) and removals, by position. */
async function writeDelta(conn: DuckDBConnection, writer: ObjectWriter, schema: TableColumn[]): Promise<StoredObject> {
  const cols = columnList(schema, 's.');
  const nulls = schema.map(c => `NULL::${c.type} AS ${ident(c.name)}`).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_up AS
     SELECT n, pord AS ord FROM __cv_mnew WHERE kind = 'changed' UNION ALL SELECT n, ord FROM __cv_ords`
  );
  const sql = `SELECT ${cols}, u.ord AS ${ORD}, false AS ${DEL} FROM src s JOIN __cv_up u ON s.rowid = u.n
    UNION ALL SELECT ${nulls}, pord AS ${ORD}, true AS ${DEL} FROM __cv_mgone WHERE pord NOT IN (SELECT ord FROM __cv_up)
    ORDER BY ${ORD}`;
  const rows = await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM __cv_up) + (SELECT count(*) FROM __cv_mgone WHERE pord NOT IN (SELECT ord FROM __cv_up)) AS n`
  );
  return writer.parquet(conn, sql, Number(rows.getRowObjectsJson()[0].n));
}
