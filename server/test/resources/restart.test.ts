import { type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env';
import { json } from '../helpers/server';
import { buildBundle, serveBundle, waitForRun } from '../helpers/bundleServer';
import { cmdPipeline } from './helpers';

const SECRET = 'restart-metering-secret-0123456789';
const data = tempDir('restart-metering-data');
const configFile = join(data.path, 'conveyor.json');
// $3600 an hour: one dollar per second, so the cost reads as the metered seconds.
writeFileSync(configFile, JSON.stringify({ profiles: [{ name: 'pricey', cpus: 0.5, memory: '64Mi', pricePerHour: 3600 }] }));

/** The built server bundle on the shared data dir. */
const serve = () =>
  serveBundle({
    CONVEYOR_SECRET: SECRET,
    CONVEYOR_DATA_DIR: data.path,
    CONVEYOR_WORKSPACE_DIR: data.path,
    CONVEYOR_CONFIG: configFile
  });

const headers = { 'X-Conveyor-Secret': SECRET, 'Content-Type': 'application/json' };

const waitFor = (url: string, id: string, until: (run: any) => boolean, timeoutMs: number) =>
  waitForRun(url, headers, id, until, timeoutMs);

beforeAll(() => {
  buildBundle();
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
