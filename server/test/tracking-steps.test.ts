import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { json, secretHeaders } from './helpers/server';
import { pipeline, runsEnv, type RunsEnv } from './runs/helpers';
import { BACKENDS } from './trackingHelpers';

/**
 * Every step a tracked run, on the real server, the real engine and the real MLflow routes: a
 * step writes its own run through the step-facing listener and nothing else; cached, failed and
 * skipped steps are tracked as they should be.
 */
describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('tracked steps on $name', backend => {
  let env: RunsEnv;
  let mlflow: string;
  let dropSchema: (() => Promise<void>) | undefined;
  const headers = { ...secretHeaders(), 'Content-Type': 'application/json' };

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (backend.url) {
      // A fresh Postgres schema, dropped afterwards.
      const schema = `steps_${randomBytes(6).toString('hex')}`;
      const admin = new Pool({ connectionString: backend.url, max: 1 });
      await admin.query(`create schema ${schema}`);
      const url = new URL(backend.url);
      url.searchParams.set('options', `-c search_path=${schema}`);
      databaseUrl = url.toString();
      dropSchema = async () => {
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      };
    }
    env = await runsEnv(databaseUrl ? { databaseUrl } : {});
    mlflow = `${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow`;
  });
  afterAll(async () => {
    await env?.close();
    await dropSchema?.();
  });

  async function call(path: string, body?: unknown): Promise<any> {
    const res = await fetch(
      `${mlflow}/${path}`,
      body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) }
    );
    const out = await json(res);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(out)}`);
    return out;
  }

  /** The experiment's tracked runs, tags and params as objects. */
  async function trackedRuns(experiment: string): Promise<any[]> {
    const { experiment: exp } = await call(`experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`);
    const { runs = [] } = await call('runs/search', {
      experiment_ids: [exp.experiment_id],
      max_results: 100
    });
    return runs.map((r: any) => ({
      ...r.info,
      tags: Object.fromEntries((r.data.tags ?? []).map((t: any) => [t.key, t.value])),
      params: Object.fromEntries((r.data.params ?? []).map((p: any) => [p.key, p.value])),
      metrics: Object.fromEntries((r.data.metrics ?? []).map((m: any) => [m.key, m.value]))
    }));
  }

  const PROBE = `
import json, os, urllib.request, urllib.error
URI, TOKEN, RUN, EXP = (os.environ[k] for k in ('MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_RUN_ID', 'MLFLOW_EXPERIMENT_ID'))
OTHER = os.environ['OTHER']
def call(path, body=None, method='POST', raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(URI + path, data=data, method=method, headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=10) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
m = lambda run: {'run_id': run, 'metrics': [{'key': 'from_step', 'value': 7, 'timestamp': 1, 'step': 0}]}
print('own-metric', call('/api/2.0/mlflow/runs/log-batch', m(RUN)))
print('other-metric', call('/api/2.0/mlflow/runs/log-batch', m(OTHER)))
print('own-tag', call('/api/2.0/mlflow/runs/set-tag', {'run_id': RUN, 'key': 'who', 'value': 'step'}))
print('create-run', call('/api/2.0/mlflow/runs/create', {'experiment_id': EXP}))
print('create-experiment', call('/api/2.0/mlflow/experiments/create', {'name': 'sneaky'}))
print('own-artifact', call('/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/probe.txt' % (EXP, RUN), method='PUT', raw=b'probe'))
print('other-artifact', call('/api/2.0/mlflow-artifacts/artifacts/0/%s/artifacts/probe.txt' % OTHER, method='PUT', raw=b'probe'))
print('read-other', call('/api/2.0/mlflow/runs/get?run_id=' + OTHER, method='GET', raw=b''))
print('register-model', call('/api/2.0/mlflow/registered-models/create', {'name': 'm-' + RUN}))
print('register-own', call('/api/2.0/mlflow/model-versions/create', {'name': 'm-' + RUN, 'source': 'runs:/%s/model' % RUN, 'run_id': RUN}))
print('register-other', call('/api/2.0/mlflow/model-versions/create', {'name': 'm-' + RUN, 'source': 'runs:/%s/model' % OTHER, 'run_id': OTHER}))
print('set-alias', call('/api/2.0/mlflow/registered-models/alias', {'name': 'm-' + RUN, 'alias': 'champion', 'version': '1'}))
`;

  test('a step writes its own tracked run through the step listener, and no other', async () => {
    const other = (
      await call('runs/create', {
        experiment_id: '0',
        run_name: 'not the step'
      })
    ).run.info.run_id;
    const run = await env.submit({
      pipeline: pipeline('probe', [
        {
          name: 'probe',
          command: ['python3', '-c', PROBE],
          env: { OTHER: other }
        }
      ]),
      experiment: 'tracking-steps-probe',
      cache: false
    });
    const done = await env.wait(run.id);
    const logs = await json(await env.get(`/runs/${run.id}/steps/probe/logs`));
    expect(done.status).toBe('succeeded');
    expect(logs.lines).toEqual([
      'own-metric 200',
      'other-metric 403',
      'own-tag 200',
      'create-run 403',
      'create-experiment 403',
      'own-artifact 200',
      'other-artifact 403',
      'read-other 200',
      'register-model 200',
      'register-own 200',
      'register-other 403',
      'set-alias 403'
    ]);
    const [tracked] = await trackedRuns('tracking-steps-probe');
    expect(tracked.status).toBe('FINISHED');
    expect(tracked.metrics.from_step).toBe(7);
    expect(tracked.tags.who).toBe('step');
    expect(tracked.tags['conveyor.run_id']).toBe(run.id);
    const otherRun = (await call(`runs/get?run_id=${other}`)).run;
    expect(otherRun.data.metrics ?? []).toEqual([]);
    const files = await json(
      await fetch(
        `${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${tracked.experiment_id}/${tracked.run_id}/artifacts`,
        { headers }
      )
    );
    expect(files.files.map((f: any) => f.path).sort()).toEqual(['probe.txt']);
  }, 120_000);

  test('a cached step is a finished tracked run tagged with the run it reuses', async () => {
    const body = {
      pipeline: pipeline('cached', [
        {
          name: 'make',
          command: ['sh', '-c', 'echo made > out.txt'],
          outputs: ['out.txt']
        }
      ]),
      experiment: 'tracking-steps-cache'
    };
    const first = await env.wait((await env.submit(body)).id);
    const second = await env.wait((await env.submit(body)).id);
    expect(second.steps[0].cachedFrom).toBe(first.id);
    const runs = await trackedRuns('tracking-steps-cache');
    expect(runs).toHaveLength(2);
    const byRun = new Map(runs.map(r => [r.tags['conveyor.run_id'], r]));
    const cached = byRun.get(second.id);
    expect(cached.status).toBe('FINISHED');
    expect(cached.tags['conveyor.cached_from']).toBe(first.id);
    expect(cached.metrics['conveyor.duration_seconds']).toBe(0);
    expect(byRun.get(first.id).tags['conveyor.cached_from']).toBeUndefined();
    const files = await json(
      await fetch(
        `${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${cached.experiment_id}/${cached.run_id}/artifacts/outputs`,
        {
          headers
        }
      )
    );
    // The artifacts proxy lists base names, as MLflow's does.
    expect(files.files).toEqual([{ path: 'out.txt', is_dir: false, file_size: 5 }]);
  }, 120_000);

  test('a failed step is a FAILED tracked run with an end time; a skipped step has none', async () => {
    const run = await env.submit({
      pipeline: pipeline('fails', [
        { name: 'bad', command: ['sh', '-c', 'exit 3'] },
        {
          name: 'after',
          command: ['sh', '-c', 'echo never'],
          dependsOn: ['bad']
        }
      ]),
      experiment: 'tracking-steps-fail',
      cache: false
    });
    const done = await env.wait(run.id);
    expect(done.steps.map((s: any) => s.status)).toEqual(['failed', 'skipped']);
    const runs = await trackedRuns('tracking-steps-fail');
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('FAILED');
    expect(runs[0].tags['conveyor.step']).toBe('bad');
    expect(runs[0].run_name).toBe('fails / bad');
    expect(Number(runs[0].end_time)).toBeGreaterThanOrEqual(Number(runs[0].start_time));
  }, 120_000);

  test('a retried step keeps one tracked run, tagged with its last attempt', async () => {
    const run = await env.submit({
      pipeline: pipeline('retried', [
        {
          name: 'flaky',
          command: ['sh', '-c', 'test "$CONVEYOR_ATTEMPT" = 2 || exit 1'],
          retry: { attempts: 2, backoffSeconds: 0 }
        }
      ]),
      experiment: 'tracking-steps-retry',
      cache: false
    });
    const done = await env.wait(run.id);
    expect(done.steps[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
    const runs = await trackedRuns('tracking-steps-retry');
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('FINISHED');
    expect(runs[0].tags['conveyor.attempt']).toBe('2');
  }, 120_000);

  test('a cancelled step is a KILLED tracked run, and its token no longer works', async () => {
    const run = await env.submit({
      pipeline: pipeline('cancelled', [
        {
          name: 'sleepy',
          command: [
            'python3',
            '-c',
            'import os, time; print(os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"], os.environ["MLFLOW_RUN_ID"], flush=True); time.sleep(120)'
          ]
        }
      ]),
      experiment: 'tracking-steps-cancel',
      cache: false
    });
    const deadline = Date.now() + 60_000;
    let lines: string[] = [];
    while (lines.length === 0 && Date.now() < deadline) {
      lines = (await json(await env.get(`/runs/${run.id}/steps/sleepy/logs`))).lines ?? [];
      if (lines.length === 0) await new Promise(r => setTimeout(r, 100));
    }
    const [uri, token, runUuid] = lines[0].split(' ');
    // From the host, which reaches the step network's gateway too.
    const asStep = () =>
      fetch(`${uri}/api/2.0/mlflow/runs/get?run_id=${runUuid}`, {
        headers: { Authorization: `Bearer ${token}` }
      });
    expect((await asStep()).status).toBe(200);
    const res = await env.post(`/runs/${run.id}/cancel`, {});
    expect(res.status).toBe(200);
    const done = await env.wait(run.id);
    expect(done.steps[0].status).toBe('cancelled');
    const runs = await trackedRuns('tracking-steps-cancel');
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('KILLED');
    const after = await asStep();
    expect(after.status).toBe(401);
    expect((await json(after)).error_code).toBe('UNAUTHENTICATED');
  }, 120_000);
  test('a resumed run tracks the steps it reuses like cached ones', async () => {
    const run = await env.submit({
      pipeline: pipeline('resumed', [
        { name: 'good', command: ['sh', '-c', 'echo good'] },
        { name: 'bad', command: ['sh', '-c', 'exit 3'], dependsOn: ['good'] }
      ]),
      experiment: 'tracking-steps-resume',
      cache: false
    });
    await env.wait(run.id);
    const res = await env.post(`/runs/${run.id}/resume`, {});
    expect(res.status).toBe(201);
    const resumed = await env.wait((await json(res)).id);
    expect(resumed.steps.map((s: any) => [s.name, s.status, s.cachedFrom])).toEqual([
      ['good', 'succeeded', run.id],
      ['bad', 'failed', null]
    ]);
    const runs = await trackedRuns('tracking-steps-resume');
    const of = (id: string, step: string) => runs.filter(r => r.tags['conveyor.run_id'] === id && r.tags['conveyor.step'] === step);
    expect(runs).toHaveLength(4);
    expect(of(resumed.id, 'good')).toEqual([expect.objectContaining({ status: 'FINISHED' })]);
    expect(of(resumed.id, 'good')[0].tags['conveyor.cached_from']).toBe(run.id);
    expect(of(resumed.id, 'bad')).toEqual([expect.objectContaining({ status: 'FAILED' })]);
  }, 120_000);
});
