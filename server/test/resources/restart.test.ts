import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir, TEST_IMAGE } from '../helpers/env';
import { json } from '../helpers/server';
import { cmdPipeline } from './helpers';

const root = join(__dirname, '..', '..');
const bundle = join(root, 'dist', 'conveyor-server.js');
const SECRET = 'restart-metering-secret-0123456789';
const data = tempDir('restart-metering-data');
const configFile = join(data.path, 'conveyor.json');
// $3600 an hour: one dollar per second, so the cost reads as the metered seconds.
writeFileSync(configFile, JSON.stringify({ profiles: [{ name: 'pricey', cpus: 0.5, memory: '64Mi', pricePerHour: 3600 }] }));

/** Starts the built server bundle on the shared data dir with the admin config; resolves with its API URL. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bundle, 'serve'], {
    env: {
      ...process.env,
      CONVEYOR_MODE: 'embedded',
      CONVEYOR_SECRET: SECRET,
      CONVEYOR_PORT: '0',
      CONVEYOR_DATA_DIR: data.path,
      CONVEYOR_WORKSPACE_DIR: data.path,
      CONVEYOR_DEFAULT_IMAGE: TEST_IMAGE,
      CONVEYOR_CONFIG: configFile,
      CONVEYOR_LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => {
      resolve({ child, url: `http://127.0.0.1:${JSON.parse(line).port}/conveyor/api/v1` });
    });
    child.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
}

const headers = { 'X-Conveyor-Secret': SECRET, 'Content-Type': 'application/json' };

async function waitFor(url: string, id: string, until: (run: any) => boolean, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await json(await fetch(`${url}/runs/${id}`, { headers }));
    if (until(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(run)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root });
});
afterAll(() => data.cleanup());

test('a step running through a kill -9 of the server is metered from its container start to its end, once', async () => {
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  try {
    const a = await serve();
    first = a.child;
    const body = {
      pipeline: cmdPipeline('metered', [{ name: 'sleep', command: ['sh', '-c', 'sleep 5'], resources: { profile: 'pricey' } }]),
      cache: false
    };
    const res = await fetch(`${a.url}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await waitFor(a.url, id, r => r.steps[0].status === 'running' && r.steps[0].containerId, 30_000);
    await new Promise(r => setTimeout(r, 2000));
    first.kill('SIGKILL');
    await new Promise(r => first!.once('exit', r));
    first = undefined;

    const b = await serve();
    second = b.child;
    const done = await waitFor(b.url, id, r => ['succeeded', 'failed', 'cancelled'].includes(r.status), 60_000);
    expect(done.status).toBe('succeeded');
    const usage = await json(await fetch(`${b.url}/usage`, { headers }));
    // The whole 5 s sleep at $1/s; metering from the restart would give under 3 s.
    expect(usage.total).toBeGreaterThanOrEqual(4.9);
    expect(usage.total).toBeLessThan(6.5);
    expect(usage.days.reduce((s: number, d: any) => s + d.seconds, 0)).toBeCloseTo(usage.total, 3);
  } finally {
    first?.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await new Promise(r => second!.once('exit', r));
  }
}, 120_000);
