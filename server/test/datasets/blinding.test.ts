import { createHash, randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { postgresUrl, tempDir } from '../helpers/env';
import { json, secretHeaders } from '../helpers/server';
import { notebook, pipeline, runsEnv, TEST_IMAGE, type RunsEnv } from '../runs/helpers';
import { addVersion, removeVolumes } from './runsHelpers';

const SECRET = 'secret-label-42';
const pg = postgresUrl();
const md5Of = (text: string): string => createHash('md5').update(text).digest('hex');

/** A step that reads the blinded labels and tries every way out: stdout, an output, params, tags, artifacts. */
const EVAL = (extra = ''): string[] => [
  'python3',
  '-c',
  `
import json, os, urllib.request, urllib.error
labels = open('inputs/test/labels.csv').read()
print('LEAK', labels)
open('out.txt', 'w').write(labels)
URI, TOKEN, RUN = (os.environ[k] for k in ('MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_RUN_ID'))
def call(path, body=None, method='POST', raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(URI + path, data=data, method=method, headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=10) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
metric = lambda k, v: call('/api/2.0/mlflow/runs/log-metric', {'run_id': RUN, 'key': k, 'value': v, 'timestamp': 1, 'step': 0})
codes = {
  'param': call('/api/2.0/mlflow/runs/log-parameter', {'run_id': RUN, 'key': 'leak', 'value': labels}),
  'tag': call('/api/2.0/mlflow/runs/set-tag', {'run_id': RUN, 'key': 'leak', 'value': labels}),
  'batch_tag': call('/api/2.0/mlflow/runs/log-batch', {'run_id': RUN, 'tags': [{'key': 'leak', 'value': labels}]}),
  'artifact': call('/api/2.0/mlflow-artifacts/artifacts/0/' + RUN + '/artifacts/leak.txt', method='PUT', raw=labels.encode()),
  'rename': call('/api/2.0/mlflow/runs/update', {'run_id': RUN, 'run_name': labels}),
}
for k, v in codes.items(): metric('code_' + k, v)
metric('accuracy', 0.75)
${extra}
`
];

describe.each([{ name: 'sqlite' as const }, ...(pg ? [{ name: 'postgres' as const, url: pg }] : [])])('test-set blinding on $name', backend => {
  let env: RunsEnv;
  let version: string;
  let dropSchema: (() => Promise<void>) | undefined;
  const data = tempDir('blind');
  const step = (command: string[]) => ({
    pipeline: pipeline('evaluate', [{ name: 'eval', image: TEST_IMAGE, command, inputs: { test: 'dataset://alice/holdout@final' }, outputs: ['out.txt'] }])
  });
  const put = (path: string, body: unknown, user: string) =>
    fetch(`${env.t.url}${path}`, { method: 'PUT', headers: { ...secretHeaders(user), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    let databaseUrl = `sqlite:${data.path}/conveyor.db`;
    if (backend.url) {
      const schema = `blind_${randomBytes(6).toString('hex')}`;
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
    process.env.CONVEYOR_PRODUCTION_USER = 'prod';
    env = await runsEnv({ dataDir: data.path, databaseUrl });
    delete process.env.CONVEYOR_PRODUCTION_USER;
    for (const [name, admin] of [
      ['alice', false],
      ['bob', false],
      ['prod', false],
      ['root', true]
    ] as const)
      await env.t.store.users.create(name, admin);
    version = await addVersion(env.t.store, data.path, {
      owner: 'alice',
      name: 'holdout',
      files: { 'labels.csv': `${SECRET}\n` },
      tags: ['final'],
      shareWith: ['bob', 'prod']
    });
  });
  afterAll(async () => {
    if (env) await removeVolumes(env.t.store);
    await env?.close();
    await dropSchema?.();
    data.cleanup();
  });

  it('lets the owner or an admin blind, and only an admin unblind', async () => {
    const path = '/datasets/alice/holdout/versions/final/blinded';
    expect((await put(path, { blinded: true }, 'bob')).status).toBe(403);
    expect((await put(path, { blinded: true }, 'alice')).status).toBe(200);
    const refused = await put(path, { blinded: false }, 'alice');
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('dataset_blinding_forbidden');
    expect((await put(path, { blinded: false }, 'root')).status).toBe(200);
    expect((await put(path, { blinded: true }, 'alice')).status).toBe(200);
    expect((await put(path, { blinded: 'yes' }, 'alice')).status).toBe(400);
    expect((await put('/datasets/alice/holdout/versions/nope/blinded', { blinded: true }, 'alice')).status).toBe(404);
    expect((await put('/datasets/carol/holdout/versions/final/blinded', { blinded: true }, 'root')).status).toBe(404);
  });

  let approval: string;
  it('refuses to mount it for a data scientist (owner or shared), recording an approval request', async () => {
    for (const user of ['alice', 'bob']) {
      const res = await env.post('/runs', step(EVAL()), user);
      const body = await json(res);
      expect(res.status).toBe(403);
      expect(body.error).toMatchObject({ code: 'dataset_blinded', details: { version, action: 'mount', step: 'eval' } });
      expect((await json(await env.get('/runs', user))).runs).toHaveLength(0);
    }
    const mine = (await json(await env.get('/datasets/approvals?status=pending', 'alice'))).approvals;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      versionId: version,
      dataset: 'alice/holdout',
      requestedBy: 'alice',
      status: 'pending',
      spec: { step: 'eval', command: EVAL() }
    });
    approval = mine[0].id;
    // The same request again is the same approval; others' requests are not listed to alice.
    await env.post('/runs', step(EVAL()), 'alice');
    expect((await json(await env.get('/datasets/approvals', 'alice'))).approvals).toHaveLength(1);
    expect((await json(await env.get('/datasets/approvals', 'root'))).approvals).toHaveLength(2);
  });

  it('lets only an admin decide', async () => {
    const decide = (user: string, body: unknown) => env.post(`/datasets/approvals/${approval}`, body, user);
    expect((await decide('alice', { decision: 'approve' })).status).toBe(403);
    expect((await decide('root', { decision: 'maybe' })).status).toBe(400);
    expect((await env.post('/datasets/approvals/nope', { decision: 'approve' }, 'root')).status).toBe(404);
    const ok = await decide('root', { decision: 'approve' });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ status: 'approved', approvedBy: 'root' });
  });

  it('serves no byte of a blinded version on any content path, to anyone', async () => {
    const open = await addVersion(env.t.store, data.path, { owner: 'alice', name: 'holdout', files: { 'labels.csv': 'public\n' }, tags: ['open'] });
    const { md5 } = await env.t.store.db.selectFrom('dataset_versions').select('md5').where('id', '=', version).executeTakeFirstOrThrow();
    const objectPath = (id: string) => `/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
    const base = '/datasets/alice/holdout';
    const paths: [string, (user: string) => Promise<Response>][] = [
      ['manifest', user => env.get(`${base}/versions/final/files`, user)],
      ['download', user => env.get(`${base}/versions/final/files/labels.csv`, user)],
      ['preview', user => env.get(`${base}/versions/final/preview`, user)],
      ['diff to', user => env.get(`${base}/diff?from=open&to=final`, user)],
      ['diff from', user => env.get(`${base}/diff?from=final&to=open`, user)],
      ['dvc .dir', user => fetch(`${new URL(env.t.url).origin}/conveyor/dvc${objectPath(md5)}`, { headers: secretHeaders(user) })],
      ['dvc object', user => fetch(`${new URL(env.t.url).origin}/conveyor/dvc${objectPath(md5Of(`${SECRET}\n`))}`, { headers: secretHeaders(user) })],
      ['register by md5', user => env.post('/datasets/versions', { name: 'copy', md5 }, user)]
    ];
    for (const user of ['alice', 'bob', 'prod', 'root']) {
      for (const [what, call] of paths) {
        const res = await call(user);
        const text = await res.text();
        expect([what, user, res.status]).toEqual([what, user, expect.any(Number)]);
        expect([what, user, res.status >= 400 && res.status < 500]).toEqual([what, user, true]);
        expect(text).not.toContain(SECRET);
      }
      // Metadata stays visible to those who see the dataset: the version exists and says it is blinded.
      if (user === 'root') continue;
      const meta = await json(await env.get(`${base}/versions/final`, user));
      expect(meta).toMatchObject({ id: version, blinded: true });
    }
    // The same paths serve an unblinded version (so the refusals above are about blinding).
    expect(await (await env.get(`${base}/versions/open/files/labels.csv`, 'alice')).text()).toBe('public\n');
    expect((await env.get(`${base}/versions/open/files`, 'bob')).status).toBe(200);
    void open;
  });

  let sealedRun: string;
  it('runs the approved step sealed: only its metrics leave', async () => {
    const run = await env.submit(step(EVAL()), 'alice');
    sealedRun = run.id;
    const done = await env.wait(run.id, undefined, 90_000, 'alice');
    expect(done.steps[0]).toMatchObject({ status: 'succeeded', outputs: [], executedNotebook: null, error: null });
    const logs = await json(await env.get(`/runs/${run.id}/steps/eval/logs`, 'alice'));
    expect(logs.lines).toEqual([]);
    expect((await env.get(`/runs/${run.id}/steps/eval/outputs/out.txt`, 'alice')).status).toBe(404);
    // Metrics arrived; every other way out answered 403.
    const { experiment } = await json(
      await fetch(`${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=evaluate`, {
        headers: secretHeaders('alice')
      })
    );
    const { runs } = await json(
      await fetch(`${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow/runs/search`, {
        method: 'POST',
        headers: { ...secretHeaders('alice'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ experiment_ids: [experiment.experiment_id] })
      })
    );
    const tracked = runs[0];
    const metrics = Object.fromEntries(tracked.data.metrics.map((m: any) => [m.key, m.value]));
    expect(metrics).toMatchObject({ accuracy: 0.75, code_param: 403, code_tag: 403, code_batch_tag: 403, code_artifact: 403, code_rename: 403 });
    expect(JSON.stringify(tracked)).not.toContain(SECRET);
    const tags = Object.fromEntries(tracked.data.tags.map((t: any) => [t.key, t.value]));
    expect(JSON.parse(tags['conveyor.datasets'])).toEqual([{ input: 'test', dataset: 'alice/holdout', version, blinded: true }]);
    const full = await json(
      await fetch(`${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow/runs/get?run_id=${tracked.info.run_id}`, { headers: secretHeaders('alice') })
    );
    expect(full.run.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'test' }],
        dataset: expect.objectContaining({ name: 'alice/holdout', digest: version, source_type: 'conveyor' })
      }
    ]);
    const artifacts = await json(
      await fetch(
        `${new URL(env.t.url).origin}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${experiment.experiment_id}/${tracked.info.run_id}/artifacts`)}`,
        { headers: secretHeaders('alice') }
      )
    );
    expect(artifacts.files ?? []).toEqual([]);
    const lineage = await json(await env.get('/datasets/alice/holdout/versions/final/lineage', 'alice'));
    expect(lineage.readBy).toEqual([expect.objectContaining({ runId: run.id, step: 'eval', input: 'test' })]);
  });

  it('refuses network access to a step that reads blinded data, even approved', async () => {
    const body = step(EVAL());
    (body.pipeline.steps as Record<string, unknown>[])[0].network = true;
    const res = await env.post('/runs', body, 'alice');
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('dataset_blinded_network');
  });

  it('needs a new approval for any change to the step', async () => {
    const res = await env.post('/runs', step(EVAL("metric('extra', 1)")), 'alice');
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('dataset_blinded');
  });

  it('lets the production account mount it without approval, sealed: a failing notebook leaks no cell, line or notebook', async () => {
    env.write('leak.ipynb', notebook([`print(open('inputs/test/labels.csv').read())`, `raise ValueError(open('inputs/test/labels.csv').read())`]));
    const body = {
      pipeline: pipeline('prod-eval', [{ name: 'eval', notebook: 'leak.ipynb', image: TEST_IMAGE, inputs: { test: 'dataset://alice/holdout@final' } }])
    };
    const run = await env.submit(body, 'prod');
    const done = await env.wait(run.id, undefined, 90_000, 'prod');
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done)).not.toContain(SECRET);
    expect(done.steps[0].error).toEqual({ message: expect.stringContaining('sealed step') });
    expect(done.steps[0].executedNotebook).toBeNull();
    expect((await json(await env.get(`/runs/${run.id}/steps/eval/logs`, 'prod'))).lines).toEqual([]);
    expect((await env.get(`/runs/${run.id}/steps/eval/notebook`, 'prod')).status).toBe(404);
  });

  it('refuses a rerun at start once the approval is revoked', async () => {
    expect((await env.post(`/datasets/approvals/${approval}`, { decision: 'reject' }, 'root')).status).toBe(200);
    expect((await env.post('/runs', step(EVAL()), 'alice')).status).toBe(403);
    const rerun = await env.post(`/runs/${sealedRun}/rerun`, { cache: false }, 'alice');
    expect(rerun.status).toBe(201);
    const done = await env.wait((await json(rerun)).id, undefined, 90_000, 'alice');
    expect(done.status).toBe('failed');
    expect(done.steps[0].error.message).toContain('blinded');
  });
});
