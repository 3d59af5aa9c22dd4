import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, one } from './sql';

/**
 * Row matching between an old and a new relation, shared by ingest (what goes in a delta) and
 * diff. Each relation has a numeric row position (`oldPos`, `newPos`: the old one is a stored
 * position, the new one the row's place in the file). It leaves two temp tables:
 *
 * - `__cv_mnew(n, pord, kind)`: every new row, `kind` 'same' | 'changed' | 'added', `pord` the
 *   position of the old row it matches (null when added);
 * - `__cv_mgone(pord)`: the old rows that are gone.
 *
 * By key: rows with equal keys match; they are 'changed' when any compared column differs.
 * By row: equal rows match (the k-th copy of a row with the k-th copy); then, when unchanged rows
 * kept their order, the i-th unmatched new row between two unchanged rows pairs with the i-th
 * unmatched old row between the same two: that pair is a 'changed' row in place.
 */
export interface MatchInput {
  oldRel: string;
  oldPos: string;
  newRel: string;
  newPos: string;
  /** Column names compared in both relations; `cast` compares them as text (retyped columns). */
  columns: { name: string; cast?: boolean }[];
  key: string[] | null;
  /** Without a key: rows at equal positions are the same row (versions over one stored base). */
  byPosition?: boolean;
}

export interface MatchCounts {
  same: number;
  changed: number;
  added: number;
  removed: number;
  reordered: boolean;
}

function expr(alias: string, c: { name: string; cast?: boolean }): string {
  const col = `${alias}.${ident(c.name)}`;
  return c.cast ? `CAST(${col} AS VARCHAR)` : col;
}

export async function matchRows(conn: DuckDBConnection, m: MatchInput): Promise<MatchCounts> {
  if (m.key) await matchByKey(conn, m);
  else if (m.byPosition) await matchByPosition(conn, m);
  else await matchByRow(conn, m);
  const r = await one(
    conn,
    `SELECT count(*) FILTER (kind = 'same') AS same, count(*) FILTER (kind = 'changed') AS changed,
       count(*) FILTER (kind = 'added') AS added, (SELECT count(*) FROM __cv_mgone) AS removed
     FROM __cv_mnew`
  );
  return {
    same: Number(r.same),
    changed: Number(r.changed),
    added: Number(r.added),
    removed: Number(r.removed),
    reordered: await isReordered(conn)
  };
}

/** Whether matched rows appear in a different order in the new relation. */
async function isReordered(conn: DuckDBConnection): Promise<boolean> {
  const r = await one(
    conn,
    `SELECT count(*) AS n FROM (SELECT pord, lag(pord) OVER (ORDER BY n) AS before FROM __cv_mnew WHERE pord IS NOT NULL) WHERE pord < before`
  );
  return Number(r.n) > 0;
}

async function matchByKey(conn: DuckDBConnection, m: MatchInput): Promise<void> {
  const on = m.key!.map(k => `s.${ident(k)} = p.${ident(k)}`).join(' AND ');
  const same = m.columns.map(c => `${expr('s', c)} IS NOT DISTINCT FROM ${expr('p', c)}`).join(' AND ') || 'true';
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_mnew AS
     SELECT s.${m.newPos} AS n, p.${m.oldPos} AS pord,
       CASE WHEN p.${m.oldPos} IS NULL THEN 'added' WHEN ${same} THEN 'same' ELSE 'changed' END AS kind
     FROM ${m.newRel} s LEFT JOIN ${m.oldRel} p ON ${on}`
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_mgone AS
     SELECT p.${m.oldPos} AS pord FROM ${m.oldRel} p ANTI JOIN ${m.newRel} s ON ${on}`
  );
}

async function matchByPosition(conn: DuckDBConnection, m: MatchInput): Promise<void> {
  const same = m.columns.map(c => `${expr('s', c)} IS NOT DISTINCT FROM ${expr('p', c)}`).join(' AND ') || 'true';
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_mnew AS
     SELECT s.${m.newPos} AS n, p.${m.oldPos} AS pord,
       CASE WHEN p.${m.oldPos} IS NULL THEN 'added' WHEN ${same} THEN 'same' ELSE 'changed' END AS kind
     FROM ${m.newRel} s LEFT JOIN ${m.oldRel} p ON s.${m.newPos} = p.${m.oldPos}`
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_mgone AS
     SELECT p.${m.oldPos} AS pord FROM ${m.oldRel} p ANTI JOIN ${m.newRel} s ON s.${m.newPos} = p.${m.oldPos}`
  );
}

async function matchByRow(conn: DuckDBConnection, m: MatchInput): Promise<void> {
  const hash = (alias: string) => (m.columns.length ? `hash(${m.columns.map(c => expr(alias, c)).join(', ')})` : '0');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_hn AS
     SELECT n, h, row_number() OVER (PARTITION BY h ORDER BY n) AS occ, count(*) OVER (PARTITION BY h) AS copies
     FROM (SELECT s.${m.newPos} AS n, ${hash('s')} AS h FROM ${m.newRel} s)`
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_ho AS
     SELECT pord, h, row_number() OVER (PARTITION BY h ORDER BY pord) AS occ, count(*) OVER (PARTITION BY h) AS copies
     FROM (SELECT p.${m.oldPos} AS pord, ${hash('p')} AS h FROM ${m.oldRel} p)`
  );
  // The k-th copy of a row matches the k-th copy, counted from the start; when that crosses other
  // rows (a middle copy was removed), counted from the end instead.
  for (const fromEnd of [false, true]) {
    const occ = (t: string) => (fromEnd ? `${t}.copies - ${t}.occ` : `${t}.occ`);
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE __cv_mnew AS
       SELECT hn.n, ho.pord, CASE WHEN ho.pord IS NULL THEN 'added' ELSE 'same' END AS kind
       FROM __cv_hn hn LEFT JOIN __cv_ho ho ON hn.h = ho.h AND ${occ('hn')} = ${occ('ho')}`
    );
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE __cv_mgone AS
       SELECT ho.pord FROM __cv_ho ho ANTI JOIN __cv_hn hn ON hn.h = ho.h AND ${occ('hn')} = ${occ('ho')}`
    );
    if (!(await isReordered(conn))) break;
    if (fromEnd || !(await hasCopies(conn))) return;
  }
  await conn.run('DROP TABLE __cv_hn; DROP TABLE __cv_ho');
  await pairInPlace(conn);
}

async function hasCopies(conn: DuckDBConnection): Promise<boolean> {
  const r = await one(conn, 'SELECT (SELECT max(copies) FROM __cv_hn) > 1 OR (SELECT max(copies) FROM __cv_ho) > 1 AS dup');
  return r.dup === true;
}

/**
 * Gap g = the number of unchanged rows before a row (in each relation's own order). The i-th
 * added row of gap g and the i-th gone row of gap g become one changed row.
 */
async function pairInPlace(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_pairs AS
     WITH anchors AS (SELECT pord FROM __cv_mnew WHERE pord IS NOT NULL),
     added AS (
       SELECT n, g, row_number() OVER (PARTITION BY g ORDER BY n) AS i FROM (
         SELECT n, pord, sum((pord IS NOT NULL)::INT) OVER (ORDER BY n ROWS UNBOUNDED PRECEDING) AS g FROM __cv_mnew)
       WHERE pord IS NULL),
     gone AS (
       SELECT pord, g, row_number() OVER (PARTITION BY g ORDER BY pord) AS i FROM (
         SELECT pord, gone, sum((NOT gone)::INT) OVER (ORDER BY pord ROWS UNBOUNDED PRECEDING) AS g FROM (
           SELECT pord, true AS gone FROM __cv_mgone UNION ALL SELECT pord, false FROM anchors))
       WHERE gone)
     SELECT added.n, gone.pord FROM added JOIN gone USING (g, i)`
  );
  const pairs = await one(conn, 'SELECT count(*) AS n FROM __cv_pairs');
  if (Number(pairs.n) === 0) return;
  await conn.run(
    `UPDATE __cv_mnew SET pord = p.pord, kind = 'changed' FROM __cv_pairs p WHERE __cv_mnew.n = p.n;
     DELETE FROM __cv_mgone WHERE pord IN (SELECT pord FROM __cv_pairs);
     DROP TABLE __cv_pairs`
  );
}

/**
 * Positions for the added rows of `__cv_mnew`, between the positions of the matched rows around
 * them, into `__cv_ords(n, ord)`. Answers false when doubles can no longer tell them apart.
 */
export async function assignPositions(conn: DuckDBConnection): Promise<boolean> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __cv_ords AS
     WITH seq AS (
       SELECT n, pord, sum((pord IS NOT NULL)::INT) OVER (ORDER BY n ROWS UNBOUNDED PRECEDING) AS g FROM __cv_mnew),
     anchors AS (SELECT g, pord FROM seq WHERE pord IS NOT NULL),
     added AS (
       SELECT n, g, row_number() OVER (PARTITION BY g ORDER BY n) AS k, count(*) OVER (PARTITION BY g) AS cnt
       FROM seq WHERE pord IS NULL),
     bounds AS (
       SELECT added.*, lo.pord AS lo, hi.pord AS hi FROM added
       LEFT JOIN anchors lo ON lo.g = added.g LEFT JOIN anchors hi ON hi.g = added.g + 1),
     filled AS (
       SELECT n, k, cnt, coalesce(lo, hi - 1, 0) AS lo, coalesce(hi, lo + 1, 1) AS hi FROM bounds)
     SELECT n, lo + (hi - lo) * k / (cnt + 1) AS ord, lo, hi FROM filled`
  );
  const bad = await one(conn, 'SELECT count(*) FILTER (ord <= lo OR ord >= hi) + count(*) - count(DISTINCT ord) AS n FROM __cv_ords');
  return Number(bad.n) === 0;
}
