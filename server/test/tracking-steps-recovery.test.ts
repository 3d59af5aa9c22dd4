import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/env';
import { json } from './helpers/server';
import { buildBundle, serveBundle, waitForRun } from './helpers/bundleServer';
import { pipeline } from './runs/helpers';

/**
 * kill -9 of the server while a step runs: the step's container keeps logging to its tracked run
 * (the listener comes back on the saved port and the token survives), the reattached step finds
 * the same tracked run, and it ends FINISHED, once.
 */
const SECRET = 'tracking-recovery-secret-0123456789';
const data = tempDir('tracking-recovery-data');
const workspace = tempDir('tracking-recovery-ws');
const headers = { 'X-Conveyor-Secret': SECRET, 'Content-Type': 'application/json' };
const serve = () => serveBundle({ CONVEYOR_SECRET: SECRET, CONVEYOR_DATA_DIR: data.path, CONVEYOR_WORKSPACE_DIR: workspace.path });

// Logs metric `tick` at steps 0..5, one a second, retrying while the listener is down.
const TICKS = `
import json, os, time, urllib.request
URI, TOKEN, RUN = (os.environ[k] for k in ('MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_RUN_ID'))
for i in range(6):
    body = json.dumps({'run_id': RUN, 'key': 'tick', 'value': i, 'timestamp': int(time.time() * 1000), 'step': i}).encode()
    for _ in range(60):
        try:
            req = urllib.request.Request(URI + '/api/2.0/mlflow/runs/log-metric', data=body, method='POST',
                                         headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': 'application/json'})
            urllib.request.urlopen(req, timeout=5).read()
            break
        except Exception as e:
            time.sleep(0.5)
    print('tick', i, flush=True)
    time.sleep(1)
`;

beforeAll(() => buildBundle());
afterAll(() => {
  data.cleanup();
  workspace.cleanup();
});

test('a step running through a kill -9 keeps one tracked run, which gets every metric and ends FINISHED', async () => {
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  try {
    const a = await serve();
    first = a.child;
    const port = readFileSync(join(data.path, 'tracking-port'), 'utf8').trim();
    const body = { pipeline: pipeline('ticks', [{ name: 'ticks', command: ['python3', '-c', TICKS] }]), experiment: 'recovery', cache: false };
    const res = await fetch(`${a.url}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await waitForRun(a.url, headers, id, r => r.steps[0].status === 'running', 30_000);
    const logs = async (url: string) => (await json(await fetch(`${url}/runs/${id}/steps/ticks/logs`, { headers }))).lines as string[];
    const deadline = Date.now() + 20_000;
    while (!(await logs(a.url)).includes('tick 0') && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
    first.kill('SIGKILL');
    await new Promise(r => first!.once('exit', r));
    first = undefined;

    const b = await serve();
    second = b.child;
    expect(readFileSync(join(data.path, 'tracking-port'), 'utf8').trim()).toBe(port);
    const done = await waitForRun(b.url, headers, id, r => ['succeeded', 'failed', 'cancelled'].includes(r.status), 90_000);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0].attempt).toBe(1);

    const mlflow = `${new URL(b.url).origin}/conveyor/mlflow/api/2.0/mlflow`;
    const exp = (await json(await fetch(`${mlflow}/experiments/get-by-name?experiment_name=recovery`, { headers }))).experiment;
    const found = await json(await fetch(`${mlflow}/runs/search`, { method: 'POST', headers, body: JSON.stringify({ experiment_ids: [exp.experiment_id] }) }));
    expect(found.runs).toHaveLength(1);
    const run = found.runs[0];
    expect(run.info.status).toBe('FINISHED');
    const history = await json(await fetch(`${mlflow}/metrics/get-history?run_id=${run.info.run_id}&metric_key=tick`, { headers }));
    expect(history.metrics.map((m: any) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
  } finally {
    first?.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await new Promise(r => second!.once('exit', r));
  }
}, 180_000);
