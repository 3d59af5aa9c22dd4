import type { ChildProcess } from 'node:child_process';
import { tempDir } from '../helpers/env';
import { json } from '../helpers/server';
import { buildBundle, serveBundle, waitForRun } from '../helpers/bundleServer';
import { pipeline } from '../runs/helpers';
import { Store } from '../../src/store/store';
import { addVersion, removeVolumes } from './runsHelpers';

/**
 * kill -9 of the server while a sealed step (blinded data mounted) runs: after the restart the
 * step is followed again still sealed: its token may log metrics but not tags, its lines are
 * dropped, and nothing of the data reaches the run.
 */
const SECRET = 'blinding-recovery-secret-0123456789';
const LABELS = 'hidden-label-77';
const data = tempDir('blind-recovery-data');
const workspace = tempDir('blind-recovery-ws');
const headers = { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'prod', 'Content-Type': 'application/json' };
const serve = () =>
  serveBundle({
    CONVEYOR_SECRET: SECRET,
    CONVEYOR_DATA_DIR: data.path,
    CONVEYOR_WORKSPACE_DIR: workspace.path,
    CONVEYOR_PRODUCTION_USER: 'prod'
  });

// Prints the labels and, a second apart, logs `tick` 0..5 (retrying while the server is down) and
// `tag_code`: the answer to setting a tag holding the labels.
const TICKS = `
import json, os, time, urllib.request, urllib.error
labels = open('inputs/test/labels.csv').read()
URI, TOKEN, RUN = (os.environ[k] for k in ('MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_RUN_ID'))
def call(path, body):
    req = urllib.request.Request(URI + path, data=json.dumps(body).encode(), method='POST', headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=5) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
for i in range(6):
    print('LEAK', labels, flush=True)
    for _ in range(60):
        try:
            code = call('/api/2.0/mlflow/runs/set-tag', {'run_id': RUN, 'key': 'leak', 'value': labels})
            if call('/api/2.0/mlflow/runs/log-batch', {'run_id': RUN, 'metrics': [
                {'key': 'tick', 'value': i, 'timestamp': int(time.time() * 1000), 'step': i},
                {'key': 'tag_code', 'value': code, 'timestamp': int(time.time() * 1000), 'step': i}]}) == 200: break
        except Exception:
            pass
        time.sleep(0.5)
    time.sleep(1)
`;

let store: Store | undefined;
beforeAll(async () => {
  buildBundle();
  store = await Store.open(`sqlite:${data.path}/conveyor.db`);
  await store.users.create('alice', false);
  await addVersion(store, data.path, {
    owner: 'alice',
    name: 'holdout',
    files: { 'labels.csv': LABELS },
    tags: ['final'],
    blinded: true,
    shareWith: ['prod']
  });
});
afterAll(async () => {
  if (store) {
    await removeVolumes(store);
    await store.close();
  }
  data.cleanup();
  workspace.cleanup();
});

test('a sealed step running through a kill -9 stays sealed after the restart', async () => {
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  try {
    const a = await serve();
    first = a.child;
    const body = {
      pipeline: pipeline('sealed', [{ name: 'eval', command: ['python3', '-c', TICKS], inputs: { test: 'dataset://alice/holdout@final' } }]),
      experiment: 'sealed-recovery',
      cache: false
    };
    const res = await fetch(`${a.url}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const mlflow = (url: string) => `${new URL(url).origin}/conveyor/mlflow/api/2.0/mlflow`;
    await waitForRun(a.url, headers, id, r => r.steps[0].status === 'running', 30_000);
    // Kill once the step has logged its first tick.
    const ticks = async (url: string): Promise<number[]> => {
      const exp = (await json(await fetch(`${mlflow(url)}/experiments/get-by-name?experiment_name=sealed-recovery`, { headers }))).experiment;
      if (!exp) return [];
      const found = await json(
        await fetch(`${mlflow(url)}/runs/search`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ experiment_ids: [exp.experiment_id] })
        })
      );
      const run = found.runs?.[0];
      if (!run) return [];
      const history = await json(await fetch(`${mlflow(url)}/metrics/get-history?run_id=${run.info.run_id}&metric_key=tick`, { headers }));
      return (history.metrics ?? []).map((m: any) => m.step);
    };
    const deadline = Date.now() + 30_000;
    while ((await ticks(a.url)).length === 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
    first.kill('SIGKILL');
    await new Promise(r => first!.once('exit', r));
    first = undefined;

    const b = await serve();
    second = b.child;
    const done = await waitForRun(b.url, headers, id, r => ['succeeded', 'failed', 'cancelled'].includes(r.status), 90_000);
    expect(done.status).toBe('succeeded');
    expect(JSON.stringify(done)).not.toContain(LABELS);
    expect((await json(await fetch(`${b.url}/runs/${id}/steps/eval/logs`, { headers }))).lines).toEqual([]);
    expect(await ticks(b.url)).toEqual([0, 1, 2, 3, 4, 5]);
    const exp = (await json(await fetch(`${mlflow(b.url)}/experiments/get-by-name?experiment_name=sealed-recovery`, { headers }))).experiment;
    const run = (
      await json(
        await fetch(`${mlflow(b.url)}/runs/search`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ experiment_ids: [exp.experiment_id] })
        })
      )
    ).runs[0];
    // Before the kill and after the restart alike, the tag was refused.
    const codes = await json(await fetch(`${mlflow(b.url)}/metrics/get-history?run_id=${run.info.run_id}&metric_key=tag_code`, { headers }));
    expect(codes.metrics.map((m: any) => [m.step, m.value])).toEqual([0, 1, 2, 3, 4, 5].map(i => [i, 403]));
    expect(done.steps[0].attempt).toBe(1);
    expect(JSON.stringify(run)).not.toContain(LABELS);
  } finally {
    first?.kill('SIGKILL');
    second?.kill('SIGTERM');
    if (second) await new Promise(r => second!.once('exit', r));
  }
}, 180_000);
