import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir, TEST_IMAGE } from '../helpers/env';
import { json } from '../helpers/server';
import { pipeline } from './helpers';

const root = join(__dirname, '..', '..');
const bundle = join(root, 'dist', 'conveyor-server.js');
const SECRET = 'recovery-secret-0123456789';
const data = tempDir('recovery-data');
const workspace = tempDir('recovery-ws');

/** Starts the built server bundle on the shared data dir; resolves with its API URL. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bundle, 'serve'], {
    env: {
      ...process.env,
      CONVEYOR_MODE: 'embedded',
      CONVEYOR_SECRET: SECRET,
      CONVEYOR_PORT: '0',
      CONVEYOR_DATA_DIR: data.path,
      CONVEYOR_WORKSPACE_DIR: workspace.path,
      CONVEYOR_DEFAULT_IMAGE: TEST_IMAGE,
      CONVEYOR_LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => {
      const event = JSON.parse(line);
      resolve({ child, url: `http://127.0.0.1:${event.port}/conveyor/api/v1` });
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
  expect(existsSync(bundle)).toBe(true);
});
afterAll(() => {
  data.cleanup();
  workspace.cleanup();
});

test('a run survives kill -9 of the server: the step is reattached and its log is complete', async () => {
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  try {
    const a = await serve();
    first = a.child;
    const body = {
      pipeline: pipeline('crash', [
        { name: 'slow', command: ['sh', '-c', 'for i in 1 2 3 4 5 6; do echo "line $i"; sleep 1; done'] },
        { name: 'after', command: ['sh', '-c', 'echo after'], dependsOn: ['slow'] }
      ]),
      cache: false
    };
    const res = await fetch(`${a.url}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const running = await waitFor(a.url, id, r => r.steps[0].status === 'running', 30_000);
    // Let it write a line or two, then kill the server without any chance to clean up.
    const lines = async (url: string) => (await json(await fetch(`${url}/runs/${id}/steps/slow/logs`, { headers }))).lines;
    const deadline = Date.now() + 15_000;
    while ((await lines(a.url)).length < 1 && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
    const before = await waitFor(a.url, id, r => r.steps[0].status === 'running', 5_000);
    first.kill('SIGKILL');
    await new Promise(r => first!.once('exit', r));
    first = undefined;

    const containers = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=io.conveyor.run=${id}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(containers).toHaveLength(1);

    const b = await serve();
    second = b.child;
    const done = await waitFor(b.url, id, r => ['succeeded', 'failed', 'cancelled'].includes(r.status), 60_000);
    expect(done.status).toBe('succeeded');
    const slow = done.steps[0];
    expect(slow.attempt).toBe(before.steps[0].attempt);
    expect(slow.attempt).toBe(1);
    expect(slow.containerId).toBe(containers[0]);
    expect(running.steps[0].startedAt).toBe(slow.startedAt);
    expect(await lines(b.url)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(done.steps[1].status).toBe('succeeded');
  } finally {
    first?.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await new Promise(r => second!.once('exit', r));
  }
}, 120_000);
