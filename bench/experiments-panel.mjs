// The Experiments panel on 10,000 runs in Chromium, against MLflow's own UI on the same runs.
//
//   node bench/experiments-panel.mjs [--runs 10000] [--repeat 5] [--quick] [--skip-mlflow]
//
// Needs the bench venv of bench/mlflow_tracking.py (BENCH_VENV, default /work/bench-venv, with
// mlflow==3.17.2) and a built labextension in the project venv (CONVEYOR_VENV, default .venv).
// Starts JupyterLab with Conveyor (embedded companion, its own data dir) and seeds it with
// bench/mlflow_client.py through the MLflow API behind Jupyter (`<lab>/conveyor/mlflow`, the
// Jupyter token); starts `mlflow server` (sqlite) seeded with the same runs by bench/mlflow_seed.py.
// Each round uses a fresh browser context of Debian Chromium; medians of --repeat after a warm-up:
//   open (in app):  Conveyor: Lab restored → `conveyor:open-experiments` → first row shows the
//                   expected run; MLflow: its experiments list → hash to the experiment's runs.
//   filter:         Enter in the filter box → first row shows the expected first match.
//   page load:      full navigation with the HTTP cache warm → first row. Conveyor through the
//                   shareable link (`/lab?conveyor-experiments=…`), MLflow to its runs page. A link
//                   load that does not show the rows in 120 s is reported (with a screenshot) and
//                   not tried again.
// The expected run ids come from each server's REST search, so both UIs show the same answer.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'ui-tests', 'package.json'));
const { chromium } = require('playwright-core');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const runs = arg('--runs', quick ? 1000 : 10000);
const repeat = arg('--repeat', quick ? 3 : 5);
const skipMlflow = process.argv.includes('--skip-mlflow');
const benchPython = join(process.env.BENCH_VENV ?? '/work/bench-venv', 'bin', 'python');
const jupyter = join(process.env.CONVEYOR_VENV ?? join(root, '.venv'), 'bin', 'jupyter');
const EXPERIMENT = 'panel-bench';
const children = [];
const dirs = [];

const freePort = () =>
  new Promise(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = ms => new Promise(r => setTimeout(r, ms));
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitOk(url, init, what, seconds = 180) {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      if ((await fetch(url, init)).ok) return;
    } catch { /* not yet */ }
    await sleep(250);
  }
  throw new Error(`${what} did not come up`);
}

function python(args, env = {}) {
  const done = spawnSync(benchPython, args, { env: { ...process.env, ...env }, encoding: 'utf8', cwd: root });
  if (done.status !== 0) throw new Error(`${args.join(' ')} failed:\n${done.stdout}\n${done.stderr}`);
  return JSON.parse(done.stdout.trim().split('\n').pop());
}

async function startConveyor() {
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-bench-panel-'));
  dirs.push(dir);
  const port = await freePort();
  const token = 'bench-panel';
  const proc = spawn(
    jupyter,
    ['lab', '--no-browser', '--allow-root', `--port=${port}`, '--ip=127.0.0.1', `--IdentityProvider.token=${token}`,
      '--LabApp.expose_app_in_browser=True', `--ServerApp.root_dir=${dir}`],
    { env: { ...process.env, JUPYTER_CONFIG_DIR: join(dir, 'config'), JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      JUPYTER_DATA_DIR: join(dir, 'data') }, stdio: ['pipe', 'ignore', 'ignore'], detached: true }
  );
  children.push(proc);
  const base = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `token ${token}`, 'Content-Type': 'application/json' };
  await waitOk(`${base}/conveyor/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers }, 'Conveyor');
  const t0 = Date.now();
  const seeded = python(['bench/mlflow_client.py', 'seed', '--runs', String(runs), '--experiment', EXPERIMENT],
    { MLFLOW_TRACKING_URI: `${base}/conveyor/mlflow`, MLFLOW_TRACKING_TOKEN: token });
  console.log(`Conveyor: seeded ${runs} runs through ${base}/conveyor/mlflow in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const search = async filter => {
    const answer = await fetch(`${base}/conveyor/api/v1/experiments/search`, {
      method: 'POST', headers, body: JSON.stringify({ experimentIds: [seeded.experiment_id], filter, limit: 1 })
    });
    const body = await answer.json();
    return { id: body.runs[0]?.runId, name: body.runs[0]?.name, total: body.total };
  };
  return { base, lab: `${base}/lab?token=${token}`, experimentId: seeded.experiment_id, search };
}

async function startMlflow() {
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-bench-panel-mlflow-'));
  dirs.push(dir);
  const db = `sqlite:///${join(dir, 'mlflow.db')}`;
  const t0 = Date.now();
  const seeded = python(['bench/mlflow_seed.py', db, '--runs', String(runs), '--experiment', EXPERIMENT],
    { PYTHONPATH: join(root, 'bench') });
  console.log(`MLflow: seeded ${runs} runs with bench/mlflow_seed.py in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const port = await freePort();
  mkdirSync(join(dir, 'artifacts'));
  const proc = spawn(join(dirname(benchPython), 'mlflow'),
    ['server', '--backend-store-uri', db, '--artifacts-destination', join(dir, 'artifacts'), '--host', '127.0.0.1',
      '--port', String(port)], { cwd: dir, stdio: 'ignore', detached: true });
  children.push(proc);
  const base = `http://127.0.0.1:${port}`;
  await waitOk(`${base}/health`, {}, 'mlflow server');
  const search = async filter => {
    const answer = await fetch(`${base}/api/2.0/mlflow/runs/search`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ experiment_ids: [seeded.experiment_id], filter, max_results: 1,
        order_by: ['attributes.start_time DESC'] })
    });
    const run = (await answer.json()).runs?.[0];
    return { id: run?.info.run_id, name: run?.info.run_name };
  };
  return { base, experimentId: seeded.experiment_id, search };
}

// ---- in the browser (timed from Node; waits poll on animation frames)

const conveyorFirstRow = expected => {
  const row = document.querySelector('[data-testid="conveyor-exp-row"][aria-rowindex="2"]');
  return !!row && row.dataset.runId === expected && row.getBoundingClientRect().height > 0;
};
const mlflowFirstRow = expected => {
  const rows = document.querySelectorAll(`.ag-row[row-index="0"][row-id="${expected}"]`);
  return [...rows].some(r => r.getBoundingClientRect().height > 0);
};

/** waitForFunction that, on a timeout, saves a screenshot and says what the first row showed. */
async function waitRow(page, fn, expected, what) {
  try {
    await page.waitForFunction(fn, expected, { polling: 'raf', timeout: 120000 });
  } catch (err) {
    const shot = join(tmpdir(), `conveyor-bench-panel-${Date.now()}.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    throw new Error(`${what}: no row ${expected} on top after 120 s (screenshot ${shot}): ${err.message}`);
  }
}

let linkFailed = false;

async function conveyorRound(browser, cv, first, filtered, filter) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(cv.lab);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 120000 });
  await page.evaluate(() => window.jupyterapp.restored);
  // in app: the open command → rows
  let t0 = Date.now();
  await page.evaluate(id => void window.jupyterapp.commands.execute('conveyor:open-experiments', { experimentIds: [id] }),
    cv.experimentId);
  await waitRow(page, conveyorFirstRow, first.id, 'Conveyor open');
  const open = Date.now() - t0;
  // filter: Enter → the first match on top
  const box = page.locator('[data-testid="conveyor-exp-filter"]').last();
  await box.fill(filter);
  t0 = Date.now();
  await box.press('Enter');
  await waitRow(page, conveyorFirstRow, filtered.id, 'Conveyor filter');
  const filterMs = Date.now() - t0;
  // page load with the shareable link (same context: logged in, HTTP cache warm) → rows;
  // not tried again once it failed (a link that hangs the page costs the full timeout each time)
  if (linkFailed) {
    await context.close();
    return { cold: null, open, filter: filterMs };
  }
  await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
  const state = Buffer.from(JSON.stringify({ experimentIds: [cv.experimentId], filter: '', orderBy: [], groupBy: '',
    columns: [], onlyDiffering: false, selected: [] })).toString('base64url');
  t0 = Date.now();
  await page.goto(`${cv.base}/lab?conveyor-experiments=${state}`);
  let cold = null;
  try {
    await waitRow(page, conveyorFirstRow, first.id, 'Conveyor page load with link');
    cold = Date.now() - t0;
  } catch (err) {
    linkFailed = true;
    console.log(`  ${err.message.split(': page.')[0]}`);
  }
  await context.close();
  return { cold, open, filter: filterMs };
}

async function mlflowRound(browser, ml, first, filtered, filter) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const listShown = () => page.getByText(EXPERIMENT, { exact: true }).first().waitFor({ timeout: 120000 });
  await page.goto(`${ml.base}/#/experiments`);
  await listShown();
  // page load of the runs page (HTTP cache warm, as for Conveyor) → rows; first, before the UI
  // remembers a filter for the experiment
  let t0 = Date.now();
  await page.goto(`${ml.base}/?load=1#/experiments/${ml.experimentId}/runs`);
  await waitRow(page, mlflowFirstRow, first.id, 'MLflow page load');
  const cold = Date.now() - t0;
  // in app: from the experiments list to the runs → rows
  await page.evaluate(() => { window.location.hash = '#/experiments'; });
  await listShown();
  t0 = Date.now();
  await page.evaluate(id => { window.location.hash = `#/experiments/${id}/runs`; }, ml.experimentId);
  await waitRow(page, mlflowFirstRow, first.id, 'MLflow open');
  const open = Date.now() - t0;
  const box = page.getByTestId('search-box');
  await box.fill(filter);
  t0 = Date.now();
  await box.press('Enter');
  await waitRow(page, mlflowFirstRow, filtered.id, 'MLflow filter');
  const filterMs = Date.now() - t0;
  await context.close();
  return { cold, open, filter: filterMs };
}

function report(name, results) {
  const line = key => {
    const xs = results.map(r => r[key]).filter(x => x !== null);
    return xs.length ? `${String(median(xs)).padStart(6)} ms  (${xs.join(', ')})` : '   n/a (see above)';
  };
  console.log(`  ${name}`);
  console.log(`    page load → rows:       ${line('cold')}`);
  console.log(`    open, in app → rows:    ${line('open')}`);
  console.log(`    filter → rows:          ${line('filter')}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update']
});
try {
  const cv = await startConveyor();
  const ml = skipMlflow ? null : await startMlflow();
  const first = await cv.search('');
  // a filter whose first match is not the unfiltered first run
  const p00 = ['adam', 'sgd', 'rmsprop', 'adagrad'];
  let filter = '';
  let filtered = first;
  for (const value of p00) {
    filter = `metrics.m00 > 0.5 and params.p00 = '${value}'`;
    filtered = await cv.search(filter);
    if (filtered.id !== first.id) break;
  }
  console.log(`filter: ${filter} → ${filtered.total} of ${first.total} runs; first ${first.name} → ${filtered.name}`);
  const results = { Conveyor: [], MLflow: [] };
  let mlFirst, mlFiltered;
  if (ml) {
    [mlFirst, mlFiltered] = [await ml.search(''), await ml.search(filter)];
    if (mlFirst.name !== first.name || mlFiltered.name !== filtered.name) {
      console.log(`  note: MLflow's first runs differ: ${mlFirst.name} → ${mlFiltered.name}`);
    }
    await mlflowRound(browser, ml, mlFirst, mlFiltered, filter); // warm-up, not counted
  }
  await conveyorRound(browser, cv, first, filtered, filter); // warm-up, not counted
  for (let i = 0; i < repeat; i++) {
    results.Conveyor.push(await conveyorRound(browser, cv, first, filtered, filter));
    if (ml) results.MLflow.push(await mlflowRound(browser, ml, mlFirst, mlFiltered, filter));
  }
  console.log(`\nExperiments panel on ${runs} runs × 50 params × 50 metrics, median of ${repeat} (fresh context each):`);
  report('Conveyor (JupyterLab, Experiments panel)', results.Conveyor);
  if (ml) {
    report('MLflow 3.17.2 UI (mlflow server, sqlite)', results.MLflow);
    const ratio = key => (median(results.MLflow.map(r => r[key])) / median(results.Conveyor.map(r => r[key]))).toFixed(2);
    console.log(`  speed Conveyor/MLflow: page load ${ratio('cold')}×, in-app open ${ratio('open')}×, filter ${ratio('filter')}×`);
  }
} finally {
  await browser.close();
  // The process groups this bench started (mlflow's workers and job consumers, Jupyter's companion).
  const signal = sig => children.forEach(child => {
    try {
      process.kill(-child.pid, sig);
    } catch { /* gone */ }
  });
  signal('SIGTERM');
  await sleep(5000);
  signal('SIGKILL');
  dirs.forEach(dir => rmSync(dir, { recursive: true, force: true }));
}
