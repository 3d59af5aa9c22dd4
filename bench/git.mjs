// Git operations on a repository of 1,000 notebooks and 1,000 commits: Conveyor's HTTP API (the
// built companion, server/dist — `npm --prefix server run build`) against the git CLI doing the
// same, in the same run, plus isomorphic-git's own statusMatrix / log({filepath}) for reference.
//
//   node bench/git.mjs [--notebooks 1000] [--commits 1000] [--runs 7]
//
// The repository is written with `git fast-import` (one pack, as a repository from a server
// would be), then checked out. Timed (median of --runs, after one warm-up; the cold first call is
// printed too): status of a clean tree, status with 10 notebooks modified, log of one notebook
// (about one commit in ten touches it), and the notebook-aware diff of two versions 500 commits apart.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => Number(process.argv[process.argv.indexOf(name) + 1]) || dflt;
const N = arg('--notebooks', 1000);
const COMMITS = arg('--commits', 1000);
const RUNS = arg('--runs', 7);
const require = createRequire(join(root, 'server', 'package.json'));
const git = require('isomorphic-git');

const ws = mkdtempSync(join(tmpdir(), 'conveyor-bench-git-'));
const dir = join(ws, 'repo');
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const sh = (args, opts = {}) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28, ...opts });

const nbPath = i => `notebooks/d${String(i % 20).padStart(2, '0')}/nb${String(i).padStart(4, '0')}.ipynb`;
function notebookText(i, version) {
  const cells = [];
  for (let c = 0; c < 12; c++) {
    cells.push({
      cell_type: c % 3 === 0 ? 'markdown' : 'code',
      id: `n${i}-c${c}`,
      metadata: {},
      source: c % 3 === 0 ? `## Section ${c} of notebook ${i}\n` : `x_${c} = load(${i}, ${c})\nmodel_${c} = fit(x_${c}, lr=${(version % 7) + c}e-3)\nprint(score(model_${c}))\n`,
      ...(c % 3 === 0 ? {} : { execution_count: version + c, outputs: [{ output_type: 'stream', name: 'stdout', text: [`score ${version * 0.01 + c}\n`] }] })
    });
  }
  return `${JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

// 1. The repository: commit 1 adds every notebook, each later commit changes one notebook (and
// every tenth commit the TARGET notebook too).
const TARGET = 0;
const t0 = performance.now();
fs.mkdirSync(dir);
sh(['init', '-q', '-b', 'main']);
const chunks = [];
const data = s => {
  const b = Buffer.from(s);
  chunks.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
};
const versions = new Array(N).fill(0);
for (let c = 0; c < COMMITS; c++) {
  const when = 1_700_000_000 + c * 60;
  chunks.push(Buffer.from(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${when} +0000\n`));
  data(`Commit ${c}\n`);
  const touched = c === 0 ? [...Array(N).keys()] : [(c * 7) % N, ...(c % 10 === 0 ? [TARGET] : [])];
  for (const i of new Set(touched)) {
    if (c > 0) versions[i]++;
    chunks.push(Buffer.from(`M 100644 inline ${nbPath(i)}\n`));
    data(notebookText(i, versions[i]));
  }
}
execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: Buffer.concat(chunks), maxBuffer: 1 << 28 });
sh(['reset', '-q', '--hard', 'main']);
await new Promise(r => setTimeout(r, 1500)); // past the racy-git window, as a tree checked out a while ago
const build = performance.now() - t0;
const targetPath = nbPath(TARGET);

// 2. The companion on this workspace.
const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-bench-git-data-'));
const secret = 'bench-secret-0123456789';
const child = spawn(process.execPath, [join(root, 'server', 'dist', 'conveyor-server.js'), 'serve'], {
  env: { ...process.env, CONVEYOR_MODE: 'embedded', CONVEYOR_PORT: '0', CONVEYOR_SECRET: secret, CONVEYOR_DATA_DIR: dataDir, CONVEYOR_WORKSPACE_DIR: ws, CONVEYOR_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit']
});
const port = await new Promise((ok, fail) => {
  createInterface({ input: child.stdout }).once('line', line => ok(JSON.parse(line).port));
  child.once('exit', code => fail(new Error(`server exited with ${code}`)));
});
const base = `http://127.0.0.1:${port}/conveyor/api/v1`;
await new Promise(r => setTimeout(r, 3000)); // let the server finish its start-up work (engine probes, recovery)
const opened = performance.now();
await get('/git/repo?path=repo'); // what the Git panel asks first (starts reading the history in the background)
const openMs = performance.now() - opened;
async function get(path) {
  const res = await fetch(`${base}${path}`, { headers: { 'X-Conveyor-Secret': secret, 'X-Conveyor-User': 'bench' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(fn) {
  let t = performance.now();
  const out = await fn();
  const cold = performance.now() - t;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { cold, ms: median(times), out };
}

const rows = [];
async function compare(name, conveyor, cliFn, check, iso) {
  const c = await measure(conveyor);
  const g = await measure(async () => cliFn());
  check(c.out, g.out);
  const row = { op: name, conveyor_ms: +c.ms.toFixed(1), conveyor_cold_ms: +c.cold.toFixed(1), cli_ms: +g.ms.toFixed(1), ratio: +(c.ms / g.ms).toFixed(2) };
  if (iso) row.isomorphic_git_ms = +(await measure(iso)).ms.toFixed(1);
  rows.push(row);
}
const equal = (a, b, what) => {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: Conveyor and the CLI disagree:\n${JSON.stringify(a).slice(0, 400)}\n${JSON.stringify(b).slice(0, 400)}`);
};
const porcelain = out => out.split('\n').filter(Boolean).map(l => l.slice(3)).sort();
const iso = { fs, dir, cache: {} };

await compare(
  'status (clean)',
  () => get('/git/status?repo=repo'),
  () => sh(['status', '--porcelain']),
  (c, g) => equal(c.files.map(f => f.path), porcelain(g), 'status'),
  async () => (await git.statusMatrix(iso)).filter(([, h, w, s]) => h !== 1 || w !== 1 || s !== 1)
);
for (let i = 1; i <= 10; i++) writeFileSync(join(dir, nbPath(i * 37)), notebookText(i * 37, 999));
await compare(
  'status (10 notebooks modified)',
  () => get('/git/status?repo=repo'),
  () => sh(['status', '--porcelain']),
  (c, g) => equal(c.files.map(f => f.path.slice('repo/'.length)), porcelain(g), 'status'),
  async () => (await git.statusMatrix(iso)).filter(([, h, w, s]) => h !== 1 || w !== 1 || s !== 1)
);
await compare(
  'log of one notebook',
  () => get(`/git/log?repo=repo&path=repo/${targetPath}&limit=1000`),
  () => sh(['log', '--format=%H', '--', targetPath]),
  (c, g) => equal(c.commits.map(x => x.oid), g.trim().split('\n'), 'log'),
  () => git.log({ ...iso, filepath: targetPath })
);
await compare(
  'diff of two versions (HEAD~500..HEAD)',
  () => get(`/git/diff?repo=repo&path=repo/${targetPath}&from=HEAD~500&to=HEAD`),
  () => sh(['diff', 'HEAD~500', 'HEAD', '--', targetPath]),
  (c, g) => {
    if (c.kind !== 'notebook' || c.diff.summary.modified === 0 || !g.includes('@@')) throw new Error('diff: no change found');
  }
);
await compare(
  'repository log (first 100)',
  () => get('/git/log?repo=repo&limit=100'),
  () => sh(['log', '--format=%H', '-100']),
  (c, g) => equal(c.commits.map(x => x.oid), g.trim().split('\n'), 'repo log')
);

child.kill('SIGTERM');
console.log(`repository: ${N} notebooks, ${COMMITS} commits, built with git fast-import in ${(build / 1000).toFixed(1)} s; ${RUNS} runs, median`);
console.log(`GET /git/repo (opening the panel): ${openMs.toFixed(1)} ms`);
console.table(rows);
if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
else rmSync(ws, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });
