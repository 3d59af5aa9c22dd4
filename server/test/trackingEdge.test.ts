import type { TestServer } from './helpers/server';
import { TrackingService } from '../src/tracking/service';
import { BACKENDS, conveyorClient, expectMlflowError, mlflowClient, startTrackingServer } from './trackingHelpers';

describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('tracking edges on $name', backend => {
  let server: TestServer;
  let alice: ReturnType<typeof mlflowClient>;

  beforeAll(async () => {
    server = await startTrackingServer(backend);
    alice = mlflowClient(server, 'alice');
  });
  afterAll(async () => {
    await server?.close();
  });

  test('log-inputs records datasets, shown on the run and searchable', async () => {
    const run = await alice.createRun();
    const dataset = { name: 'train', digest: 'abc123', source_type: 'local', source: '{"uri": "data/train.csv"}' };
    const res = await alice.post('runs/log-inputs', { run_id: run, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] });
    expect(res.status).toBe(200);
    const got = (await alice.get('runs/get', { run_id: run })).body.run;
    expect(got.inputs.dataset_inputs).toEqual([{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }]);
    const found = await alice.post('runs/search', { experiment_ids: ['0'], filter: "datasets.name = 'train' and datasets.context IN ('training')" });
    expect(found.body.runs.map((r: any) => r.info.run_id)).toEqual([run]);
    expectMlflowError(await alice.post('runs/log-inputs', { run_id: run, datasets: [{ dataset: { name: 'x' } }] }), 400, 'INVALID_PARAMETER_VALUE');
    const detail = await conveyorClient(server).call('GET', `/experiments/runs/${run}`);
    expect(detail.body.lineage.datasets).toEqual([{ name: 'train', digest: 'abc123', source: '{"uri": "data/train.csv"}', context: 'training' }]);
  });

  test('deleted runs leave active searches, can be found with run_view_type and restored', async () => {
    const exp = (await alice.post('experiments/create', { name: 'lifecycle' })).body.experiment_id;
    const keep = await alice.createRun(exp, { run_name: 'keep' });
    const gone = await alice.createRun(exp, { run_name: 'gone' });
    expect((await alice.post('runs/delete', { run_id: gone })).status).toBe(200);
    const names = async (view?: string) => ((await alice.post('runs/search', { experiment_ids: [exp], ...(view ? { run_view_type: view } : {}), order_by: ['attributes.run_name'] })).body.runs ?? []).map((r: any) => r.info.run_name);
    expect(await names()).toEqual(['keep']);
    expect(await names('DELETED_ONLY')).toEqual(['gone']);
    expect(await names('ALL')).toEqual(['gone', 'keep']);
    expectMlflowError(await alice.post('runs/log-metric', { run_id: gone, key: 'x', value: 1, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE');
    expect((await alice.post('runs/restore', { run_id: gone })).status).toBe(200);
    expect(await names()).toEqual(['gone', 'keep']);
    expect(keep).not.toBe(gone);
  });

  test('NUL characters and odd ids are refused with 4xx on every path', async () => {
    const run = await alice.createRun();
    expectMlflowError(await alice.post('runs/set-tag', { run_id: run, key: 't', value: 'a\u0000b' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/log-parameter', { run_id: run, key: 'p', value: '\u0000' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('experiments/create', { name: 'a\u0000' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.get('runs/get', { run_id: 'a\u0000b' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/search', { experiment_ids: ['0'], filter: "params.p = 'a\u0000'" }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.get('experiments/get-by-name', { experiment_name: 'x\u0000' }), 400, 'INVALID_PARAMETER_VALUE');
    const api = conveyorClient(server);
    expect((await api.call('POST', '/experiments/search', { experimentIds: ['0'], columns: ['params.a\u0000'] })).status).toBe(400);
    expect((await api.call('POST', '/experiments/search', { experimentIds: ['0'], groupBy: 'a\u0000' })).status).toBe(400);
    expect((await api.call('GET', `/experiments/runs/${run}/metrics/a%00b`)).status).toBe(400);
    expect((await alice.call('GET', `/api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/a%00b`)).status).toBe(400);
    expect((await alice.post('runs/get-nothing', {})).status).toBe(404);
    expectMlflowError(await alice.post('runs/search', { experiment_ids: ['0'], filter: 'attributes.last_update_time > 1' }), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice.post('runs/search', { experiment_ids: ['0'], order_by: ['attributes.last_update_time'] }), 400, 'INVALID_PARAMETER_VALUE');
    const exps = await alice.post('experiments/search', { filter: "name LIKE 'life%' and tags.name IS NULL" });
    expect(exps.body.experiments.map((e: any) => e.name)).toEqual(['lifecycle']);
  });

  test('step tokens authenticate their run until revoked or expired', async () => {
    const service = new TrackingService(server.store);
    try {
      const exp = await service.ensureExperiment('alice', 'pipelines');
      expect(await service.ensureExperiment('alice', 'pipelines')).toBe(exp);
      const { runUuid, artifactUri } = await service.createRun({ owner: 'alice', experimentId: exp, name: 'train', conveyorRunId: 'run-1', step: 'train' });
      expect(artifactUri).toBe(`mlflow-artifacts:/${exp}/${runUuid}/artifacts`);
      expect(await service.findStepRun('run-1', 'train')).toBe(runUuid);
      expect(await service.findStepRun('run-1', 'other')).toBeNull();
      const token = await service.mintStepToken('alice', runUuid, 60);
      expect(await service.authenticateStepToken(token)).toEqual({ owner: 'alice', runUuid });
      expect(await service.authenticateStepToken(`${token}x`)).toBeNull();
      const expired = await service.mintStepToken('alice', runUuid, -1);
      expect(await service.authenticateStepToken(expired)).toBeNull();
      await service.logBatch(runUuid, { metrics: [{ key: 'conveyor.duration_seconds', value: 3, timestamp: 1, step: 0 }], params: [{ key: 'epochs', value: 2 }] });
      await service.setStatus(runUuid, 'FINISHED', 5);
      const run = await service.getRun('alice', runUuid);
      expect(run.info).toMatchObject({ status: 'FINISHED', end_time: 5 });
      expect(run.data.params).toEqual([{ key: 'epochs', value: '2' }]);
      await expect(service.getRun('bob', runUuid)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
      await service.revokeStepTokens(runUuid);
      expect(await service.authenticateStepToken(token)).toBeNull();
    } finally {
      await service.close();
    }
  });
});

describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('concurrent writers on $name', backend => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTrackingServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('racing params of one key: one value wins, the others get 400, never 500', async () => {
    const alice = mlflowClient(server, 'alice');
    const run = await alice.createRun();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => alice.post('runs/log-batch', { run_id: run, params: [{ key: 'seed', value: String(i % 3) }], metrics: [{ key: 'm', value: i, timestamp: 1, step: i }] })));
    expect(answers.map(a => a.status).every(s => s === 200 || s === 400)).toBe(true);
    const params = (await alice.get('runs/get', { run_id: run })).body.run.data.params;
    expect(params).toHaveLength(1);
    const winners = answers.filter(a => a.status === 200).length;
    const history = (await alice.get('metrics/get-history', { run_id: run, metric_key: 'm' })).body.metrics ?? [];
    expect(history).toHaveLength(winners);
    const exp = (await alice.post('experiments/create', { name: 'shared-race' })).body.experiment_id;
    const shares = await Promise.all(Array.from({ length: 5 }, () => conveyorClient(server, 'alice').call('PUT', `/experiments/${exp}/shares`, { users: ['bob', '*'] })));
    expect(shares.map(s => s.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await conveyorClient(server, 'alice').call('PUT', '/experiments/0/shares', { users: ['bob'] })).status).toBe(403);
  });
});
