// Time to list 1,000 registry tags through Conveyor's GET /images, against the registry's own
// tags/list (what `curl` gets) and tags/list + one manifest HEAD per tag, measured in one run.
//
//   node bench/list-tags.mjs [--tags 1000] [--runs 5]
//
// Makes the tags cheaply: one tiny image is pushed once, then its manifest is PUT under 1,000 tags
// of a fresh users/bench/… repository. Starts the built companion (server/dist, `npm --prefix
// server run build`) on the registry of CONVEYOR_REGISTRY (default: the one scripts/registry.sh
// starts). GET /images is timed cold (first call of a fresh server: every manifest and the config
// are read) and warm (tags are immutable, so manifests are cached); medians are printed with their
// ratio to the raw listing.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => Number(process.argv[process.argv.indexOf(name) + 1]) || dflt;
const count = arg('--tags', 1000);
const runs = arg('--runs', 5);
const registry = process.env.CONVEYOR_REGISTRY || execFileSync('bash', [join(root, 'scripts/registry.sh')], { encoding: 'utf8' }).trim();
const base = `http://${registry}`;
const id = randomBytes(4).toString('hex');
const repo = `users/bench/tags${id}`;
const ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = performance.now();
  const out = await fn();
  return { ms: performance.now() - t, out };
}
async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

// 1. One tiny image, pushed once.
const ctx = mkdtempSync(join(tmpdir(), 'conveyor-bench-tags-'));
writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY hello /hello\nLABEL io.conveyor.packages.python="six==1.16.0"\n');
writeFileSync(join(ctx, 'hello'), `bench ${id}\n`);
const first = `${registry}/${repo}:0.0.0-b${id}`;
execFileSync('docker', ['build', '-q', '-t', first, ctx], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync('docker', ['push', '-q', first], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync('docker', ['rmi', first], { stdio: 'ignore' });
const mres = await fetch(`${base}/v2/${repo}/manifests/0.0.0-b${id}`, { headers: { Accept: ACCEPT } });
const manifest = await mres.text();
const mediaType = mres.headers.get('content-type');

// 2. The same manifest under `count` more tags.
const tags = Array.from({ length: count - 1 }, (_, i) => `1.0.${i}-b${id}${String(i).padStart(4, '0')}`);
const made = await time(() =>
  pool(tags, 16, async tag => {
    const r = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: manifest });
    if (!r.ok) throw new Error(`PUT ${tag}: ${r.status}`);
  })
);
console.log(`made ${count} tags of ${repo} in ${(made.ms / 1000).toFixed(1)} s`);

// 3. The companion, embedded mode, on that registry.
const secret = randomBytes(16).toString('hex');
async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-bench-data-'));
  const child = spawn(process.execPath, [join(root, 'server/dist/conveyor-server.js'), 'serve'], {
    env: { ...process.env, CONVEYOR_SECRET: secret, CONVEYOR_PORT: '0', CONVEYOR_DATA_DIR: dataDir, CONVEYOR_REGISTRY: registry, CONVEYOR_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit']
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', d => {
      const m = /"port":(\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', code => reject(new Error(`server exited ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/conveyor/api/v1` };
}
const headers = { 'X-Conveyor-Secret': secret };

async function rawList() {
  let url = `${base}/v2/${repo}/tags/list?n=1000`;
  const out = [];
  while (url) {
    const r = await fetch(url);
    out.push(...(await r.json()).tags);
    const next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
    url = next ? `${base}${next}` : undefined;
  }
  return out;
}
async function rawListAndHead() {
  const all = await rawList();
  await pool(all, 16, async tag => {
    await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: ACCEPT } });
  });
  return all;
}
async function conveyorList(url) {
  const r = await fetch(`${url}/images?q=${encodeURIComponent(repo)}`, { headers });
  const list = await r.json();
  if (list.length !== count) throw new Error(`GET /images listed ${list.length} of ${count}`);
  return list;
}

const raw = [];
const rawHead = [];
const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  raw.push((await time(rawList)).ms);
  rawHead.push((await time(rawListAndHead)).ms);
  const server = await startServer();
  cold.push((await time(() => conveyorList(server.url))).ms);
  warm.push((await time(() => conveyorList(server.url))).ms);
  server.child.stdin.end();
  server.child.kill();
}
const r = median(raw);
const row = (name, xs) => console.log(`${name.padEnd(44)} ${median(xs).toFixed(0).padStart(6)} ms  x${(median(xs) / r).toFixed(1)}`);
console.log(`median of ${runs} runs, ${count} tags (ratio to the raw tags/list):`);
row('registry tags/list (curl-level baseline)', raw);
row('registry tags/list + HEAD of every manifest', rawHead);
row('Conveyor GET /images, cold (fresh server)', cold);
row('Conveyor GET /images, warm (cached manifests)', warm);

// The bench's tags share one manifest: deleting it by digest removes all of them.
const digest = mres.headers.get('docker-content-digest');
await fetch(`${base}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
