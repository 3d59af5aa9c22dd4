import type { TestServer } from './helpers/server';
import { BACKENDS, conveyorClient, expectMlflowError, mlflowClient, startTrackingServer } from './trackingHelpers';

describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('MLflow tracking API on $name', backend => {
  let server: TestServer;
  let alice: ReturnType<typeof mlflowClient>;
  let bob: ReturnType<typeof mlflowClient>;

  beforeAll(async () => {
    server = await startTrackingServer(backend);
    alice = mlflowClient(server, 'alice');
    bob = mlflowClient(server, 'bob');
  });
  afterAll(async () => {
    await server?.close();
  });

  test('Default exists; experiments are created, found by name, renamed, tagged, deleted and restored', async () => {
    const def = await alice.get('experiments/get', { experiment_id: '0' });
    expect(def.body.experiment).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    const created = await alice.post('experiments/create', { name: 'exp-a', tags: [{ key: 'team', value: 'ml' }] });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect(id).toMatch(/^[1-9]\d*$/);
    expectMlflowError(await alice.post('experiments/create', { name: 'exp-a' }), 400, 'RESOURCE_ALREADY_EXISTS');
    // Names are per owner: bob may use the same name.
    expect((await bob.post('experiments/create', { name: 'exp-a' })).status).toBe(200);
    const byName = await alice.get('experiments/get-by-name', { experiment_name: 'exp-a' });
    expect(byName.body.experiment).toMatchObject({ experiment_id: id, artifact_location: `mlflow-artifacts:/${id}`, tags: [{ key: 'team', value: 'ml' }] });
    expectMlflowError(await alice.get('experiments/get-by-name', { experiment_name: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await alice.post('experiments/update', { experiment_id: id, new_name: 'exp-a2' })).status).toBe(200);
    expect((await alice.post('experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' })).status).toBe(200);
    const search = await alice.post('experiments/search', { max_results: 10, filter: "name = 'exp-a2'" });
    expect(search.body.experiments.map((e: any) => e.name)).toEqual(['exp-a2']);
    expect((await alice.post('experiments/delete', { experiment_id: id })).status).toBe(200);
    expect((await alice.get('experiments/get', { experiment_id: id })).body.experiment.lifecycle_stage).toBe('deleted');
    expectMlflowError(await alice.post('runs/create', { experiment_id: id }), 400, 'INVALID_PARAMETER_VALUE');
    expect((await alice.post('experiments/restore', { experiment_id: id })).status).toBe(200);
    expectMlflowError(await alice.get('experiments/get', { experiment_id: '99999' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  test('params are write-once, tags overwrite, metrics append with the latest by step', async () => {
    const run = await alice.createRun('0', { run_name: 'first' });
    expect((await alice.post('runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).status).toBe(200);
    expect((await alice.post('runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).status).toBe(200);
    const overwrite = await alice.post('runs/log-parameter', { run_id: run, key: 'lr', value: '0.2' });
    expectMlflowError(overwrite, 400, 'INVALID_PARAMETER_VALUE');
    expect(overwrite.body.message).toContain('Changing param values is not allowed');
    await alice.post('runs/set-tag', { run_id: run, key: 'stage', value: 'a' });
    await alice.post('runs/set-tag', { run_id: run, key: 'stage', value: 'b' });
    for (const [step, value] of [[0, 1.5], [2, 0.5], [1, 0.9]]) {
      expect((await alice.post('runs/log-metric', { run_id: run, key: 'loss', value, timestamp: 1000 + step, step })).status).toBe(200);
    }
    const got = (await alice.get('runs/get', { run_id: run })).body.run;
    expect(got.info).toMatchObject({ run_id: run, run_name: 'first', status: 'RUNNING', experiment_id: '0', user_id: 'alice', artifact_uri: `mlflow-artifacts:/0/${run}/artifacts` });
    expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(got.data.tags).toEqual(expect.arrayContaining([{ key: 'stage', value: 'b' }, { key: 'mlflow.runName', value: 'first' }]));
    expect(got.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: 1002, step: 2 }]);
    const history = await alice.get('metrics/get-history', { run_id: run, metric_key: 'loss' });
    expect(history.body.metrics.map((m: any) => [m.step, m.value])).toEqual([[0, 1.5], [1, 0.9], [2, 0.5]]);
    expect((await alice.post('runs/delete-tag', { run_id: run, key: 'stage' })).status).toBe(200);
    expectMlflowError(await alice.post('runs/delete-tag', { run_id: run, key: 'stage' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    const updated = await alice.post('runs/update', { run_id: run, status: 'FINISHED', end_time: 5000, run_name: 'renamed' });
    expect(updated.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 5000, run_name: 'renamed' });
    expectMlflowError(await alice.post('runs/update', { run_id: run, status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE');
  });

  test('NaN and infinite metrics are stored the way MLflow stores them', async () => {
    const run = await alice.createRun();
    const raw = `{"run_id": "${run}", "metrics": [{"key": "a", "value": NaN, "timestamp": 1, "step": 0}, {"key": "b", "value": Infinity, "timestamp": 1, "step": 0}, {"key": "c", "value": "-Infinity", "timestamp": 1, "step": 0}]}`;
    expect((await alice.call('POST', '/api/2.0/mlflow/runs/log-batch', undefined, raw)).status).toBe(200);
    const metrics = (await alice.get('runs/get', { run_id: run })).body.run.data.metrics;
    expect(metrics).toEqual([
      { key: 'a', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'b', value: 1.7976931348623157e308, timestamp: 1, step: 0 },
      { key: 'c', value: -1.7976931348623157e308, timestamp: 1, step: 0 }
    ]);
  });

  test('log-batch is all or nothing and keeps MLflow limits', async () => {
    const run = await alice.createRun();
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i, timestamp: 1000 + i, step: i }));
    expect((await alice.post('runs/log-batch', { run_id: run, metrics })).status).toBe(200);
    const data = (await alice.get('runs/get', { run_id: run })).body.run.data;
    expect(data.metrics).toHaveLength(10);
    expect(data.metrics.find((m: any) => m.key === 'm3')).toMatchObject({ value: 993, step: 993 });
    const tooMany = await alice.post('runs/log-batch', { run_id: run, metrics: [...metrics, { key: 'x', value: 1, timestamp: 1, step: 0 }] });
    expectMlflowError(tooMany, 400, 'INVALID_PARAMETER_VALUE');
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    expectMlflowError(await alice.post('runs/log-batch', { run_id: run, params }), 400, 'INVALID_PARAMETER_VALUE');
    // A bad entry anywhere: nothing of the batch is written.
    const bad = await alice.post('runs/log-batch', { run_id: run, params: [{ key: 'good', value: '1' }], metrics: [{ key: '../evil', value: 1, timestamp: 1, step: 0 }] });
    expectMlflowError(bad, 400, 'INVALID_PARAMETER_VALUE');
    const conflict = await alice.post('runs/log-batch', { run_id: run, params: [{ key: 'good', value: '1' }, { key: 'good', value: '2' }] });
    expectMlflowError(conflict, 400, 'INVALID_PARAMETER_VALUE');
    await alice.post('runs/log-parameter', { run_id: run, key: 'fixed', value: 'a' });
    const mixed = await alice.post('runs/log-batch', { run_id: run, params: [{ key: 'fresh', value: '1' }, { key: 'fixed', value: 'b' }], metrics: [{ key: 'late', value: 1, timestamp: 1, step: 0 }] });
    expectMlflowError(mixed, 400, 'INVALID_PARAMETER_VALUE');
    const after = (await alice.get('runs/get', { run_id: run })).body.run.data;
    expect(after.params).toEqual([{ key: 'fixed', value: 'a' }]);
    expect(after.metrics.map((m: any) => m.key)).not.toContain('late');
    expectMlflowError(await alice.post('runs/log-parameter', { run_id: run, key: 'long', value: 'x'.repeat(6001) }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/log-metric', { run_id: run, key: 'm', value: 'abc', timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE');
  });

  test('malformed bodies, unknown runs and endpoints answer 4xx in MLflow shape', async () => {
    expectMlflowError(await alice.call('POST', '/api/2.0/mlflow/runs/log-metric', undefined, '{"run_id": '), 400, 'MALFORMED_REQUEST');
    expectMlflowError(await alice.call('POST', '/api/2.0/mlflow/runs/log-metric', undefined, '[1, 2]'), 400, 'MALFORMED_REQUEST');
    const huge = JSON.stringify({ run_id: 'x', pad: 'y'.repeat(1_100_000) });
    expectMlflowError(await alice.call('POST', '/api/2.0/mlflow/runs/log-batch', undefined, huge), 413, 'REQUEST_LIMIT_EXCEEDED');
    expectMlflowError(await alice.get('runs/get', { run_id: 'f'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectMlflowError(await alice.post('runs/log-metric', { key: 'a', value: 1 }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/nope', {}), 404, 'ENDPOINT_NOT_FOUND');
    const info = await alice.call('GET', '/api/3.0/mlflow/server-info');
    expect(info.body).toMatchObject({ multipart_uploads_enabled: false, multipart_downloads_enabled: false });
    const stranger = await fetch(`${alice.base}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as any).error_code).toBe('UNAUTHENTICATED');
  });

  test('search-runs filters, orders and pages with opaque tokens', async () => {
    const exp = (await alice.post('experiments/create', { name: 'search-exp' })).body.experiment_id;
    for (let i = 0; i < 7; i++) {
      const run = await alice.createRun(exp, { run_name: `r${i}`, start_time: 1000 + i });
      await alice.post('runs/log-batch', {
        run_id: run,
        params: [{ key: 'opt', value: i % 2 ? 'adam' : 'sgd' }],
        metrics: [{ key: 'acc', value: i / 10, timestamp: 1, step: 0 }],
        tags: [{ key: 'note', value: `Trial ${i}` }]
      });
    }
    const res = await alice.post('runs/search', { experiment_ids: [exp], filter: "metrics.acc >= 0.2 and params.opt = 'sgd'", order_by: ['metrics.acc DESC'] });
    expect(res.body.runs.map((r: any) => r.info.run_name)).toEqual(['r6', 'r4', 'r2']);
    const like = await alice.post('runs/search', { experiment_ids: [exp], filter: "tags.note LIKE 'Trial%' and tags.note != 'Trial 3'" });
    expect(like.body.runs).toHaveLength(6);
    expect((await alice.post('runs/search', { experiment_ids: [exp], filter: "tags.note LIKE 'trial%'" })).body.runs).toBeUndefined();
    expect((await alice.post('runs/search', { experiment_ids: [exp], filter: "tags.note ILIKE 'trial%'" })).body.runs).toHaveLength(7);
    const byName = await alice.post('runs/search', { experiment_ids: [exp], filter: "attributes.run_name IN ('r1', 'r5') and attributes.status = 'RUNNING'", order_by: ['attributes.start_time ASC'] });
    expect(byName.body.runs.map((r: any) => r.info.run_name)).toEqual(['r1', 'r5']);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await alice.post('runs/search', { experiment_ids: [exp], max_results: 3, order_by: ['params.opt', 'attributes.run_name'], ...(token ? { page_token: token } : {}) });
      seen.push(...page.body.runs.map((r: any) => r.info.run_name));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual(['r1', 'r3', 'r5', 'r0', 'r2', 'r4', 'r6']);
    const first = await alice.post('runs/search', { experiment_ids: [exp], max_results: 3 });
    expectMlflowError(await alice.post('runs/search', { experiment_ids: [exp], max_results: 3, filter: 'metrics.acc > 0', page_token: first.body.next_page_token }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/search', { experiment_ids: [exp], filter: 'metrics.acc >' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/search', { experiment_ids: [exp], filter: "metrics.acc > 'x'" }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/search', { experiment_ids: [exp], max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE');
  });

  test('artifacts: PUT streams into the store, GET downloads, list folds folders', async () => {
    const run = await alice.createRun();
    const url = (p: string) => `${alice.base}/api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/${p}`;
    const headers = { 'X-Conveyor-Secret': 'test-secret-0123456789', 'X-Conveyor-User': 'alice' };
    expect((await fetch(url('model/weights.bin'), { method: 'PUT', headers, body: Buffer.from([1, 2, 3]) })).status).toBe(200);
    expect((await fetch(url('notes.txt'), { method: 'PUT', headers, body: 'hello' })).status).toBe(200);
    const got = await fetch(url('notes.txt'), { headers });
    expect(await got.text()).toBe('hello');
    const list = await alice.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`0/${run}/artifacts`)}`);
    expect(list.body.files).toEqual([{ path: 'model', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 5 }]);
    const inner = await alice.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`0/${run}/artifacts/model`)}`);
    expect(inner.body.files).toEqual([{ path: 'weights.bin', is_dir: false, file_size: 3 }]);
    expect((await fetch(url('missing'), { headers })).status).toBe(404);
    expect((await fetch(url('a/..%2F..%2Fb'), { method: 'PUT', headers, body: 'x' })).status).toBe(400);
    const bobHeaders = { ...headers, 'X-Conveyor-User': 'bob' };
    expect((await fetch(url('notes.txt'), { headers: bobHeaders })).status).toBe(404);
    expect((await fetch(url('evil.txt'), { method: 'PUT', headers: bobHeaders, body: 'x' })).status).toBe(404);
  });

  test('users see only their own or shared experiments and runs', async () => {
    const exp = (await alice.post('experiments/create', { name: 'private' })).body.experiment_id;
    const run = await alice.createRun(exp);
    const defRun = await alice.createRun('0');
    expectMlflowError(await bob.get('experiments/get', { experiment_id: exp }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectMlflowError(await bob.get('runs/get', { run_id: run }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectMlflowError(await bob.get('runs/get', { run_id: defRun }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectMlflowError(await bob.post('runs/log-metric', { run_id: run, key: 'x', value: 1, timestamp: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST');
    const bobDefault = await bob.post('runs/search', { experiment_ids: ['0'] });
    expect((bobDefault.body.runs ?? []).map((r: any) => r.info.user_id)).not.toContain('alice');
    expect((await bob.post('runs/search', { experiment_ids: [exp] })).body.runs).toBeUndefined();
    const share = await conveyorClient(server, 'alice').call('PUT', `/experiments/${exp}/shares`, { users: ['bob'] });
    expect(share).toEqual({ status: 200, body: { users: ['bob'] } });
    expect((await bob.get('runs/get', { run_id: run })).status).toBe(200);
    expect((await bob.get('experiments/get-by-name', { experiment_name: 'private' })).body.experiment.experiment_id).toBe(exp);
    expectMlflowError(await bob.post('runs/log-metric', { run_id: run, key: 'x', value: 1, timestamp: 1 }), 403, 'PERMISSION_DENIED');
    expectMlflowError(await bob.post('runs/create', { experiment_id: exp }), 403, 'PERMISSION_DENIED');
    expectMlflowError(await bob.post('experiments/delete', { experiment_id: exp }), 403, 'PERMISSION_DENIED');
    expect((await conveyorClient(server, 'bob').call('PUT', `/experiments/${exp}/shares`, { users: [] })).status).toBe(403);
  });
});
