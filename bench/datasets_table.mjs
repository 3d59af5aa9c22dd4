// Table versions: store growth and row-diff time of Conveyor's table engine against DVC, on a
// 5M-row table whose v2 changes 1% of the rows at scattered places (every row whose id hashes to
// 0 mod 100: spread over the whole file, so no chunk of it is left untouched).
//
//   node bench/datasets_table.mjs [--rows 5000000] [--dvc /work/main/.venv/bin/dvc] [--keep]
//
// Both sides get the same two CSV files. Conveyor: `TableEngine.ingest(v1)`, then
// `ingest(v2, {previous: v1})`, on the datasets object store (DVC 3 layout), measuring the store's
// bytes after each; then `diff(v1, v2)` by key and by row content. DVC: `dvc add` of v1, then of
// v2 over it, measuring the cache's bytes after each (DVC stores a full copy per version; its
// `dvc diff` only says the file changed). The engine is bundled from server/src with esbuild.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv;
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const ROWS = Number(opt('--rows', 5_000_000));
const DVC = opt('--dvc', join(root, '.venv', 'bin', 'dvc'));
const require = createRequire(join(root, 'server', 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');
const esbuild = require('esbuild');

const work = mkdtempSync(join(tmpdir(), 'conveyor-bench-table-'));
const log = (...a) => process.stdout.write(`${a.join(' ')}\n`);
const mib = b => (b < 2 ** 20 ? `${(b / 1024).toFixed(1)} KiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);
const secs = ms => `${(ms / 1000).toFixed(2)} s`;
const timed = async fn => {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
};

function md5sum(path) {
  return execFileSync('md5sum', [path], { encoding: 'utf8' }).split(' ')[0];
}

function bytesUnder(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

// 1. The engine, bundled from the sources into server/node_modules/.cache (so that DuckDB, left
// external, resolves from server/node_modules).
const cacheDir = join(root, 'server', 'node_modules', '.cache', 'conveyor-bench');
mkdirSync(cacheDir, { recursive: true });
const entry = join(work, 'entry.ts');
const src = join(root, 'server', 'src', 'datasets');
writeFileSync(
  entry,
  `export { TableEngine, StoreTableObjects } from ${JSON.stringify(join(src, 'tables', 'index.ts'))};
   export { ObjectStore } from ${JSON.stringify(join(src, 'objects.ts'))};
   export { HashPool } from ${JSON.stringify(join(src, 'hashPool.ts'))};`
);
const bundle = join(cacheDir, 'datasets-table-engine.cjs');
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  external: ['@duckdb/node-api'],
  logLevel: 'warning'
});
const { TableEngine, StoreTableObjects, ObjectStore, HashPool } = require(bundle);

// 2. The data: v1, and v2 = v1 with `amount` and `status` changed on ~1% of rows, scattered.
const v1 = join(work, 'v1.csv');
const v2 = join(work, 'v2.csv');
{
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  await c.run(`CREATE TABLE t AS SELECT i AS id, md5(i::VARCHAR)[1:16] AS customer,
      round(((i * 7919) % 100000) / 100.0, 2) AS amount, ['new','paid','shipped','returned'][1 + i % 4] AS status,
      DATE '2020-01-01' + (i % 1500)::INT AS day, (i % 3 = 0) AS flagged, 'note ' || (i % 997) AS note
    FROM range(${ROWS}) r(i)`);
  await c.run(`COPY t TO '${v1}' (FORMAT csv, HEADER)`);
  await c.run(`COPY (SELECT id, customer,
      CASE WHEN hash(id) % 100 = 0 THEN amount + 1 ELSE amount END AS amount,
      CASE WHEN hash(id) % 100 = 0 THEN 'disputed' ELSE status END AS status, day, flagged, note
    FROM t ORDER BY id) TO '${v2}' (FORMAT csv, HEADER)`);
  const r = await c.runAndReadAll(`SELECT count(*) FILTER (hash(id) % 100 = 0) AS n FROM t`);
  log(`rows ${ROWS}, changed in v2 ${r.getRowObjectsJson()[0].n}; v1.csv ${mib(statSync(v1).size)}, v2.csv ${mib(statSync(v2).size)}`);
  c.closeSync();
  db.closeSync();
}

// 3. Conveyor.
const storeDir = join(work, 'store');
const pool = new HashPool(2);
const store = new ObjectStore(storeDir, pool);
await store.init();
const engine = new TableEngine(new StoreTableObjects(store), { memoryLimit: '6GB' });
const conveyor = {};
{
  const a = await timed(() => engine.ingest(v1, { key: ['id'] }));
  conveyor.v1 = bytesUnder(join(storeDir, 'files'));
  const b = await timed(() => engine.ingest(v2, { previous: a.value.manifest }));
  conveyor.v2 = bytesUnder(join(storeDir, 'files'));
  log(
    `conveyor ingest v1 ${secs(a.ms)} (${mib(conveyor.v1)} stored), v2 ${secs(b.ms)} (+${mib(conveyor.v2 - conveyor.v1)}; ${JSON.stringify(b.value.storage)})`
  );
  const byKey = await timed(() => engine.diff(a.value.manifest, b.value.manifest));
  const byRow = await timed(() => engine.diff(a.value.manifest, b.value.manifest, { key: null }));
  const prev = await timed(() => engine.preview(b.value.manifest, { offset: Math.floor(ROWS / 2), limit: 50 }));
  conveyor.diffKey = byKey.ms;
  conveyor.diffRow = byRow.ms;
  const counts = d => `+${d.added} -${d.removed} ~${d.changed} (${d.matchedBy})`;
  log(`conveyor diff by key ${secs(byKey.ms)} ${counts(byKey.value)}; by row ${secs(byRow.ms)} ${counts(byRow.value)}`);
  const first = await timed(() => engine.preview(b.value.manifest, { limit: 50 }));
  log(`conveyor preview of v2, 50 rows: at offset 0 ${secs(first.ms)}, at offset ${Math.floor(ROWS / 2)} ${secs(prev.ms)}`);
  // The stored v2 reads back as the very file (DuckDB writes the CSV the same way both times).
  const out = join(work, 'v2-export.csv');
  const exp = await timed(() => engine.export(b.value.manifest, 'csv', out));
  const same = md5sum(out) === md5sum(v2);
  rmSync(out);
  log(`conveyor export of v2 to CSV ${secs(exp.ms)}; identical to v2.csv: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
}
// Versions that share no base (v2 added on its own) are compared in full: the general case.
{
  const a = await engine.ingest(v1);
  const b = await engine.ingest(v2);
  const full = await timed(() => engine.diff(a.manifest, b.manifest, { key: ['id'] }));
  conveyor.diffFull = full.ms;
  log(`conveyor diff by key of v1 and v2 added without a common base (full compare) ${secs(full.ms)} ~${full.value.changed}`);
}
await engine.close();

// Baseline for the row diff: DuckDB over the two CSV files, as one would write it by hand.
{
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  const t = await timed(() =>
    c.runAndReadAll(`SELECT count(*) AS n FROM read_csv('${v1}') a JOIN read_csv('${v2}') b USING (id)
      WHERE (a.customer, a.amount, a.status, a.day, a.flagged, a.note) IS DISTINCT FROM (b.customer, b.amount, b.status, b.day, b.flagged, b.note)`)
  );
  conveyor.diffBaseline = t.ms;
  log(`baseline: DuckDB joining the two CSV files by id ${secs(t.ms)} ~${t.value.getRowObjectsJson()[0].n}`);
  c.closeSync();
  db.closeSync();
}
await pool.close();

// 4. DVC: a repository without git, a cache in it; `dvc add` v1, then v2 over the same path.
const dvc = {};
{
  const repo = join(work, 'dvc');
  mkdirSync(repo);
  const env = { ...process.env, DVC_NO_ANALYTICS: '1' };
  const run = args => execFileSync(DVC, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  run(['init', '--no-scm', '-q']);
  const cache = join(repo, '.dvc', 'cache');
  renameSync(v1, join(repo, 'data.csv'));
  const a = await timed(() => run(['add', '-q', 'data.csv']));
  dvc.v1 = bytesUnder(cache);
  rmSync(join(repo, 'data.csv'));
  renameSync(v2, join(repo, 'data.csv'));
  const b = await timed(() => run(['add', '-q', 'data.csv']));
  dvc.v2 = bytesUnder(cache);
  log(`dvc add v1 ${secs(a.ms)} (${mib(dvc.v1)} cache), v2 ${secs(b.ms)} (+${mib(dvc.v2 - dvc.v1)})`);
}

// 5. Figures.
const growth = side => (side.v2 - side.v1) / side.v1;
log('');
log(
  `store growth for v2: conveyor ${(100 * growth(conveyor)).toFixed(2)}% (+${mib(conveyor.v2 - conveyor.v1)}), dvc ${(100 * growth(dvc)).toFixed(1)}% (+${mib(dvc.v2 - dvc.v1)})`
);
log(
  `growth ratio dvc / conveyor: ${((dvc.v2 - dvc.v1) / (conveyor.v2 - conveyor.v1)).toFixed(1)}x; total store v1+v2: conveyor ${mib(conveyor.v2)}, dvc ${mib(dvc.v2)}`
);
log(`row diff (${ROWS} x ${ROWS} rows): by key ${secs(conveyor.diffKey)}, by row content ${secs(conveyor.diffRow)}; dvc has no row diff`);
log(
  `row diff vs the hand-written DuckDB join of the CSVs (${secs(conveyor.diffBaseline)}): ${(conveyor.diffBaseline / conveyor.diffKey).toFixed(1)}x faster over one base, ` +
    `${(conveyor.diffBaseline / conveyor.diffFull).toFixed(2)}x for a full compare (${secs(conveyor.diffFull)})`
);
if (!argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
else log(`kept ${work}`);
