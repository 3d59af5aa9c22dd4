// Page-load time of JupyterLab with and without Conveyor, measured the same way in one run.
//
//   node bench/page-load.mjs [--runs 7]
//
// Starts two JupyterLab servers from the same venv: one with Conveyor (labextension and server
// extension enabled), one with both disabled through its own JUPYTER_CONFIG_DIR. Each run opens
// /lab in a fresh browser context (cold HTTP cache) of Debian Chromium and times navigation →
// `app.restored`; for Conveyor it also times → the sidebar's status saying "Connected". Runs
// alternate between the two servers; the medians and their ratio are printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'ui-tests', 'package.json'));
const { chromium } = require('playwright-core');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const jupyter = join(process.env.CONVEYOR_VENV ?? join(root, '.venv'), 'bin', 'jupyter');

const freePort = () =>
  new Promise(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startLab(name, withConveyor) {
  const dir = mkdtempSync(join(tmpdir(), `conveyor-bench-${name}-`));
  const config = join(dir, 'config');
  mkdirSync(join(config, 'labconfig'), { recursive: true });
  if (!withConveyor) {
    writeFileSync(
      join(config, 'jupyter_server_config.json'),
      JSON.stringify({ ServerApp: { jpserver_extensions: { jupyterlab_conveyor: false } } })
    );
    writeFileSync(
      join(config, 'labconfig', 'page_config.json'),
      JSON.stringify({ disabledExtensions: { 'jupyterlab-conveyor': true } })
    );
  }
  const port = await freePort();
  const token = `bench-${name}`;
  const proc = spawn(
    jupyter,
    ['lab', '--no-browser', '--allow-root', `--port=${port}`, '--ip=127.0.0.1', `--IdentityProvider.token=${token}`,
      '--LabApp.expose_app_in_browser=True', `--ServerApp.root_dir=${dir}`],
    { env: { ...process.env, JUPYTER_CONFIG_DIR: config, JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      JUPYTER_DATA_DIR: join(dir, 'data') }, stdio: ['pipe', 'ignore', 'ignore'] }
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${url}/api/status?token=${token}`)).ok) break;
    } catch { /* not yet */ }
    await new Promise(r => setTimeout(r, 250));
  }
  return { name, withConveyor, url: `${url}/lab?token=${token}`, stop: () => proc.kill('SIGTERM') };
}

async function measure(browser, lab) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(lab.url);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 60000 });
  await page.evaluate(() => window.jupyterapp.restored);
  const restored = Date.now() - t0;
  let connected = null;
  if (lab.withConveyor) {
    await page.locator('.jp-SideBar [data-id="jp-conveyor-sidebar"]').first().click();
    await page.getByText('Connected', { exact: true }).first().waitFor({ timeout: 30000 });
    connected = Date.now() - t0;
  }
  await context.close();
  return { restored, connected };
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const labs = [await startLab('plain', false), await startLab('conveyor', true)];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update']
});
try {
  for (const lab of labs) await measure(browser, lab); // warm the servers (first-request compilation)
  const times = { plain: [], conveyor: [], connected: [] };
  for (let i = 0; i < runs; i++) {
    for (const lab of labs) {
      const t = await measure(browser, lab);
      times[lab.name].push(t.restored);
      if (t.connected !== null) times.connected.push(t.connected);
    }
  }
  const plain = median(times.plain);
  const conveyor = median(times.conveyor);
  console.log(`page load to app.restored, median of ${runs} cold-cache runs each:`);
  console.log(`  JupyterLab without Conveyor: ${plain} ms   (${times.plain.join(', ')})`);
  console.log(`  JupyterLab with Conveyor:    ${conveyor} ms   (${times.conveyor.join(', ')})`);
  console.log(`  ratio with/without: ${(conveyor / plain).toFixed(3)}`);
  console.log(`  with Conveyor, to sidebar status "Connected": ${median(times.connected)} ms`);
} finally {
  await browser.close();
  labs.forEach(l => l.stop());
}
