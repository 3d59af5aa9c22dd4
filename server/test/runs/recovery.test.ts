import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tempDir } from '../helpers/env';
import { json } from '../helpers/server';
import { buildBundle, BUNDLE, serveBundle, waitForRun } from '../helpers/bundleServer';
import { pipeline } from './helpers';

const SECRET = 'recovery-secret-0123456789';
const data = tempDir('recovery-data');
const workspace = tempDir('recovery-ws');

/** The built server bundle on the shared data dir. */
const serve = () =>
  serveBundle({ CONVEYOR_SECRET: SECRET, CONVEYOR_DATA_DIR: data.path, CONVEYOR_WORKSPACE_DIR: workspace.path });

const headers = { 'X-Conveyor-Secret': SECRET, 'Content-Type': 'application/json' };

const waitFor = (url: string, id: string, until: (run: any) => boolean, timeoutMs: number) =>
  waitForRun(url, headers, id, until, timeoutMs);

beforeAll(() => {
  buildBundle();
  expect(existsSync(BUNDLE)).toBe(true);
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
