// Files datasets: Conveyor's add (scan, hash cache, parallel copy-while-hashing into the DVC 3
// layout, durable) against `dvc add` on the same data in the same run, and against the
// `xargs -P2 md5sum` floor (hashing only: no copy, no fsync).
//
//   node bench/datasets_files.mjs [--small 10000] [--small-kib 100] [--big-mib 1024] [--dvc …/dvc] [--keep]
//
// Data: N × 100 KiB random files in 100 folders plus one 1 GiB file, under a temp folder (deleted
// at the end unless --keep). Scenarios, each for Conveyor then DVC on the same tree:
//   cold     first add (empty store / empty DVC cache and state)
//   warm     add again, nothing changed
//   touch1   mtime of 1% of the small files changed, bytes unchanged
//   edit1    1% of the small files rewritten with new bytes
// md5sum runs first on the whole tree (which also puts the files in the page cache, so every
// contender reads from memory), and again on the edited 1% for the edit floor. A durable copy also
// has to write every byte to disk: `dd … conv=fsync` of the same size is printed as that floor.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv;
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const SMALL = Number(opt('--small', 10_000));
const SMALL_KIB = Number(opt('--small-kib', 100));
const BIG_MIB = Number(opt('--big-mib', 1024));
const DVC = opt('--dvc', join(root, '.venv', 'bin', 'dvc'));
const require = createRequire(join(root, 'server', 'package.json'));
const esbuild = require('esbuild');

const work = mkdtempSync(join(tmpdir(), 'conveyor-bench-files-'));
const log = (...a) => process.stdout.write(`${a.join(' ')}\n`);
const secs = ms => `${(ms / 1000).toFixed(2)} s`;
const timed = async fn => {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
};

try {
  // 1. Conveyor's ingest, bundled from server/src.
  const src = join(root, 'server', 'src', 'datasets');
  const entry = join(work, 'entry.ts');
  writeFileSync(
    entry,
    `export { ingestPath } from ${JSON.stringify(join(src, 'ingest.ts'))};
     export { ObjectStore } from ${JSON.stringify(join(src, 'objects.ts'))};
     export { HashPool } from ${JSON.stringify(join(src, 'hashPool.ts'))};
     export { HashCache } from ${JSON.stringify(join(src, 'hashCache.ts'))};`
  );
  const bundle = join(work, 'ingest.cjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning' });
  const { ingestPath, ObjectStore, HashPool, HashCache } = require(bundle);

  // 2. The data, inside a DVC project (no git) so both add the very same folder.
  const project = join(work, 'project');
  const data = join(project, 'data');
  mkdirSync(join(project, '.dvc'), { recursive: true });
  writeFileSync(join(project, '.dvc', 'config'), '[core]\n    no_scm = True\n    analytics = false\n');
  const smallPath = i => join(data, `d${String(i % 100).padStart(2, '0')}`, `f${String(i).padStart(5, '0')}.bin`);
  const gen = await timed(async () => {
    for (let d = 0; d < 100; d++) mkdirSync(join(data, `d${String(d).padStart(2, '0')}`), { recursive: true });
    for (let i = 0; i < SMALL; i++) writeFileSync(smallPath(i), randomBytes(SMALL_KIB * 1024));
    const fd = openSync(join(data, 'big.bin'), 'w');
    const block = randomBytes(16 * 2 ** 20);
    for (let m = 0; m < BIG_MIB; m += 16) {
      block.writeUInt32LE(m, 0); // each block different
      writeSync(fd, block);
    }
    closeSync(fd);
  });
  const totalBytes = SMALL * SMALL_KIB * 1024 + BIG_MIB * 2 ** 20;
  log(`data: ${SMALL} × ${SMALL_KIB} KiB + 1 × ${BIG_MIB} MiB = ${(totalBytes / 2 ** 30).toFixed(2)} GiB (written in ${secs(gen.ms)}), ${availableParallelism()} cores`);

  const md5sum = files => {
    const t = performance.now();
    const r = spawnSync('sh', ['-c', 'xargs -0 -P2 -n 64 md5sum > /dev/null'], { input: files.join('\0'), maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`md5sum failed: ${r.stderr}`);
    return performance.now() - t;
  };
  const allFiles = [...Array.from({ length: SMALL }, (_, i) => smallPath(i)), join(data, 'big.bin')];
  md5sum(allFiles); // page cache warm-up for everybody
  const floor = md5sum(allFiles);
  log(`md5sum floor (xargs -P2 md5sum, whole tree): ${secs(floor)}`);
  // The disk's floor for a durable copy: writing the same number of bytes once, then fsync.
  const ddStart = performance.now();
  execFileSync('dd', ['if=/dev/zero', `of=${join(work, 'dd.bin')}`, 'bs=16M', `count=${Math.ceil(totalBytes / 2 ** 24)}`, 'conv=fsync', 'status=none']);
  const writeFloor = performance.now() - ddStart;
  rmSync(join(work, 'dd.bin'));
  log(`durable write floor (dd ${(totalBytes / 2 ** 30).toFixed(2)} GiB + fsync): ${secs(writeFloor)}`);

  // 3. Contenders.
  const pool = new HashPool();
  const store = new ObjectStore(join(work, 'conveyor-store'), pool);
  await store.init();
  const cache = new HashCache(join(work, 'conveyor-hashcache.txt'));
  const conveyor = async () => (await timed(() => ingestPath({ abs: data, workspace: project, store, cache }))).ms;
  const dvc = () => {
    const t = performance.now();
    execFileSync(DVC, ['add', '-q', 'data'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
    return performance.now() - t;
  };

  const rows = [];
  const scenario = async (name, prepare, floorMs) => {
    prepare?.();
    const c = await conveyor();
    const d = dvc();
    rows.push({ name, c, d, floorMs });
    log(
      `${name.padEnd(7)} conveyor ${secs(c).padStart(8)}   dvc ${secs(d).padStart(8)}   dvc/conveyor ${(d / c).toFixed(1).padStart(5)}×` +
        (floorMs ? `   conveyor/md5sum ${(c / floorMs).toFixed(2)}×` : '')
    );
  };
  const onePercent = Array.from({ length: Math.max(1, Math.round(SMALL / 100)) }, (_, k) => k * 100 + 7).filter(i => i < SMALL);
  await scenario('cold', null, floor);
  await scenario('warm', null);
  await scenario('touch1', () => {
    const later = new Date(Date.now() + 60_000);
    for (const i of onePercent) utimesSync(smallPath(i), later, later);
  });
  const edited = onePercent.map(smallPath);
  await scenario(
    'edit1',
    () => {
      for (const i of onePercent) writeFileSync(smallPath(i), randomBytes(SMALL_KIB * 1024));
    },
    null
  );
  const editFloor = md5sum(edited);
  log(`md5sum of the edited 1%: ${secs(editFloor)}`);
  await pool.close();

  log('');
  log('| scenario | Conveyor | dvc add | DVC / Conveyor | Conveyor / md5sum |');
  log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    log(`| ${r.name} | ${secs(r.c)} | ${secs(r.d)} | ${(r.d / r.c).toFixed(1)}× | ${r.floorMs ? `${(r.c / r.floorMs).toFixed(2)}×` : '–'} |`);
  }
  log(`goals: cold ≥2× DVC, warm ≥10× DVC, cold within 1.5× of md5sum (${secs(floor)})`);
  const cold = rows[0].c;
  log(`cold / max(md5sum, durable write floor ${secs(writeFloor)}) = ${(cold / Math.max(floor, writeFloor)).toFixed(2)}×`);
} finally {
  if (argv.includes('--keep')) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
