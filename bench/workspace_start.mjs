// Time from "start a workspace" to JupyterLab answering through Conveyor's proxy, with a warm
// image (conveyor/workspace:dev, built by scripts/setup.sh), against the ~3 s that KubeSpawner /
// tmpnb report for a pre-pulled image. Uses the built companion (server/dist —
// `npm --prefix server run build`) and the real Docker engine.
//
//   node bench/workspace_start.mjs [--runs 5] [--image conveyor/workspace:dev]
//
// Timed per run: POST /workspaces/:id/start → the first 200 of GET /conveyor/workspaces/<id>/api/status
// through the proxy (polled every 50 ms), then the lab page itself; and the scale-to-zero path:
// GET …/lab of a stopped workspace → JupyterLab answering. Prints each run, then the medians.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv;
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const RUNS = Number(opt('--runs', 5));
const IMAGE = opt('--image', 'conveyor/workspace:dev');
const secret = 'bench-secret-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-bench-ws-'));
const child = spawn(process.execPath, [join(root, 'server', 'dist', 'conveyor-server.js'), 'serve'], {
  env: { ...process.env, CONVEYOR_MODE: 'embedded', CONVEYOR_PORT: '0', CONVEYOR_SECRET: secret, CONVEYOR_DATA_DIR: dataDir, CONVEYOR_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit']
});
const port = await new Promise((ok, fail) => {
  createInterface({ input: child.stdout }).once('line', line => ok(JSON.parse(line).port));
  child.once('exit', code => fail(new Error(`server exited with ${code}`)));
});
const origin = `http://127.0.0.1:${port}`;
const headers = { 'X-Conveyor-Secret': secret, 'X-Conveyor-User': 'bench', 'content-type': 'application/json' };
const call = async (method, path, body) => {
  const res = await fetch(`${origin}/conveyor/api/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
};
const proxied = (id, path, accept = 'application/json') => fetch(`${origin}/conveyor/workspaces/${id}/${path}`, { headers: { ...headers, accept } });
async function answering(id, t0) {
  for (;;) {
    const res = await proxied(id, 'api/status');
    await res.arrayBuffer();
    if (res.status === 200) return performance.now() - t0;
    await new Promise(r => setTimeout(r, 50));
  }
}
/** One bare start: `docker run -d` of IMAGE with jupyter lab, polled at its bridge address until /api/status answers. */
async function bareStart() {
  const token = 'bench-bare-token';
  const t0 = performance.now();
  const id = execFileSync('docker', ['run', '-d', '--rm', '-e', `JUPYTER_TOKEN=${token}`, '--user', '1000:1000', IMAGE,
    'jupyter', 'lab', '--ip=0.0.0.0', '--port=8888', '--no-browser', '--ServerApp.root_dir=/tmp'], { encoding: 'utf8' }).trim();
  try {
    const ip = execFileSync('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id], { encoding: 'utf8' }).trim();
    for (;;) {
      try {
        const res = await fetch(`http://${ip}:8888/api/status`, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(2000) });
        if (res.ok) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 50));
    }
  } finally {
    execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  }
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ws = await call('POST', '/workspaces', { name: `bench-${Date.now()}`, image: IMAGE, profile: 'small', idleSeconds: 3600 });
await answering(ws.id, performance.now()); // warm-up: the first start also creates the volume and network
const starts = [];
const wakes = [];
const labs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    await call('POST', `/workspaces/${ws.id}/stop`);
    const t0 = performance.now();
    await call('POST', `/workspaces/${ws.id}/start`);
    starts.push(await answering(ws.id, t0));
    const l0 = performance.now();
    const lab = await proxied(ws.id, 'lab', 'text/html');
    await lab.text();
    labs.push(performance.now() - l0);
    await call('POST', `/workspaces/${ws.id}/stop`);
    const w0 = performance.now();
    const page = await proxied(ws.id, 'lab', 'text/html'); // a stopped workspace: the "starting" page, and it starts
    await page.text();
    wakes.push(await answering(ws.id, w0));
    console.log(`run ${i + 1}: start → answering ${(starts[i] / 1000).toFixed(2)} s, lab page ${labs[i].toFixed(0)} ms, open a stopped one → answering ${(wakes[i] / 1000).toFixed(2)} s`);
  }
  console.log(`\nworkspace start → JupyterLab answering through the proxy (warm image ${IMAGE}, median of ${RUNS}): ${(median(starts) / 1000).toFixed(2)} s`);
  console.log(`scale to zero: opening a stopped workspace → answering: ${(median(wakes) / 1000).toFixed(2)} s; lab page through the proxy: ${median(labs).toFixed(0)} ms`);
  // The baseline, in this invocation: the same image started bare (`docker run`, default bridge,
  // no Conveyor), polled directly at the container's address: what tmpnb/DockerSpawner do.
  const bare = [];
  for (let i = 0; i < RUNS; i++) bare.push(await bareStart());
  const b = median(bare);
  console.log(`baseline: bare docker run of the same image → JupyterLab answering (median of ${RUNS}): ${(b / 1000).toFixed(2)} s`);
  console.log(`ratio Conveyor / bare docker run: ${(median(starts) / b).toFixed(2)}× (the proxy, volume, network and firewall set-up)`);
  console.log(`reference: KubeSpawner / tmpnb with a pre-pulled image ≈ 3 s → Conveyor ${(3000 / median(starts)).toFixed(2)}× faster`);
} finally {
  await call('DELETE', `/workspaces/${ws.id}?volume=true`);
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
