import type { TestServer } from './helpers/server';
import { BACKENDS, conveyorClient, mlflowClient, startTrackingServer } from './trackingHelpers';

const notebook = (source: string) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ cell_type: 'code', id: 'c1', source, metadata: {}, outputs: [], execution_count: 1 }]
});

describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('Conveyor /experiments API on $name', backend => {
  let server: TestServer;
  let ml: ReturnType<typeof mlflowClient>;
  let api: ReturnType<typeof conveyorClient>;
  let exp: string;
  const runs: string[] = [];

  beforeAll(async () => {
    server = await startTrackingServer(backend);
    ml = mlflowClient(server, 'alice');
    api = conveyorClient(server, 'alice');
    exp = (await ml.post('experiments/create', { name: 'compare' })).body.experiment_id;
    for (let i = 0; i < 6; i++) {
      const run = await ml.createRun(exp, { run_name: `r${i}`, start_time: 1000 + i });
      runs.push(run);
      await ml.post('runs/log-batch', {
        run_id: run,
        params: [{ key: 'lr', value: i < 3 ? '0.1' : '0.01' }, { key: 'seed', value: '7' }],
        metrics: [
          { key: 'loss', value: 1 - i / 10, timestamp: 1, step: 0 },
          { key: 'loss', value: 0.5 - i / 10, timestamp: 2, step: 1 }
        ]
      });
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  test('lists visible experiments with run counts', async () => {
    const res = await api.call('GET', '/experiments');
    expect(res.status).toBe(200);
    expect(res.body.experiments.find((e: any) => e.id === exp)).toEqual({
      id: exp, name: 'compare', owner: 'alice', runCount: 6, lastRunTime: 1005, sharedWith: [], lifecycleStage: 'active'
    });
    expect(res.body.experiments.map((e: any) => e.id)).toContain('0');
    const bob = await conveyorClient(server, 'bob').call('GET', '/experiments');
    expect(bob.body.experiments.map((e: any) => e.id)).not.toContain(exp);
  });

  test('search: filter, order, columns with min/max, keys, differing params, groups, paging', async () => {
    const res = await api.call('POST', '/experiments/search', {
      experimentIds: [exp],
      filter: 'metrics.loss < 0.4',
      orderBy: ['metrics.loss ASC'],
      columns: ['params.lr', 'metrics.loss', 'metrics.loss.min', 'metrics.loss.max'],
      limit: 2
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(4);
    expect(res.body.runs.map((r: any) => r.name)).toEqual(['r5', 'r4']);
    expect(res.body.runs[0]).toMatchObject({ runId: runs[5], experimentId: exp, owner: 'alice', status: 'RUNNING', startTime: 1005, candidate: false, conveyorRunId: null });
    expect(res.body.runs[0].values).toEqual({ 'params.lr': '0.01', 'metrics.loss': 0, 'metrics.loss.min': 0, 'metrics.loss.max': 0.5 });
    expect(res.body.keys).toEqual({ params: ['lr', 'seed'], metrics: ['loss'], tags: ['mlflow.runName'] });
    expect(res.body.differingParams).toEqual(['lr']);
    const next = await api.call('POST', '/experiments/search', { experimentIds: [exp], filter: 'metrics.loss < 0.4', orderBy: ['metrics.loss ASC'], offset: 2, limit: 2 });
    expect(next.body.runs.map((r: any) => r.name)).toEqual(['r3', 'r2']);
    const grouped = await api.call('POST', '/experiments/search', { experimentIds: [exp], groupBy: 'lr', orderBy: ['attributes.run_name DESC'] });
    expect(grouped.body.groups).toEqual([{ value: '0.01', count: 3 }, { value: '0.1', count: 3 }]);
    expect(grouped.body.runs.map((r: any) => r.name)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    const sameLr = await api.call('POST', '/experiments/search', { experimentIds: [exp], filter: "params.lr = '0.1'" });
    expect(sameLr.body.differingParams).toEqual([]);
    expect(Object.keys(sameLr.body.runs[0].values).sort()).toEqual(['metrics.loss', 'params.lr', 'params.seed']);
  });

  test('a malformed filter is 400 invalid_filter with the position; bad bodies are 400', async () => {
    const bad = await api.call('POST', '/experiments/search', { experimentIds: [exp], filter: "params.lr = 0.1" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_filter', details: { position: 12 } });
    expect((await api.call('POST', '/experiments/search', { experimentIds: [] })).status).toBe(400);
    expect((await api.call('POST', '/experiments/search', { experimentIds: [exp], columns: ['nope'] })).body.error.code).toBe('invalid_column');
    expect((await api.call('POST', '/experiments/search', { experimentIds: ['424242'] })).status).toBe(404);
  });

  test('values returns parallel columns over every match', async () => {
    const res = await api.call('POST', '/experiments/values', { experimentIds: [exp], filter: "params.lr = '0.01'", columns: ['params.lr', 'metrics.loss'] });
    expect(res.body).toEqual({ runIds: [runs[5], runs[4], runs[3]], names: ['r5', 'r4', 'r3'], columns: { 'params.lr': ['0.01', '0.01', '0.01'], 'metrics.loss': [0, expect.closeTo(0.1), expect.closeTo(0.2)] } });
  });

  test('run detail, metric history, candidate flag', async () => {
    expect((await api.call('PUT', `/experiments/runs/${runs[1]}/candidate`, { candidate: true })).body).toEqual({ candidate: true });
    await ml.post('runs/set-tag', { run_id: runs[1], key: 'mlflow.source.git.commit', value: 'abc123' });
    const detail = await api.call('GET', `/experiments/runs/${runs[1]}`);
    expect(detail.body.run).toMatchObject({ runId: runs[1], experimentName: 'compare', candidate: true, params: { lr: '0.1', seed: '7' } });
    expect(detail.body.run.metrics.loss).toEqual({ value: 0.4, step: 1, timestamp: 2, min: 0.4, max: 0.9, count: 2 });
    expect(detail.body.lineage).toMatchObject({ gitCommit: 'abc123', user: 'alice', conveyorRunId: null, datasets: [] });
    const history = await api.call('GET', `/experiments/runs/${runs[1]}/metrics/loss`);
    expect(history.body).toEqual({ history: [{ step: 0, timestamp: 1, value: 0.9 }, { step: 1, timestamp: 2, value: 0.4 }] });
    const search = await api.call('POST', '/experiments/search', { experimentIds: [exp], filter: "tags.`conveyor.candidate` = 'true'" });
    expect(search.body.runs.map((r: any) => [r.name, r.candidate])).toEqual([['r1', true]]);
    await api.call('PUT', `/experiments/runs/${runs[1]}/candidate`, { candidate: false });
    expect((await api.call('GET', `/experiments/runs/${runs[1]}`)).body.run.candidate).toBe(false);
    expect((await conveyorClient(server, 'bob').call('GET', `/experiments/runs/${runs[1]}`)).status).toBe(404);
    expect((await api.call('GET', '/experiments/runs/not-a-run')).status).toBe(404);
  });

  test('diff of two tracked runs compares their executed notebooks', async () => {
    const headers = { 'X-Conveyor-Secret': 'test-secret-0123456789', 'X-Conveyor-User': 'alice' };
    for (const [run, source] of [[runs[0], 'x = 1'], [runs[1], 'x = 2']]) {
      const body = JSON.stringify(notebook(source));
      const res = await fetch(`${ml.base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/executed.ipynb`, { method: 'PUT', headers, body });
      expect(res.status).toBe(200);
    }
    const diff = await api.call('GET', `/experiments/diff?a=${runs[0]}&b=${runs[1]}`);
    expect(diff.status).toBe(200);
    expect(diff.body.summary).toMatchObject({ modified: 1 });
    expect((await api.call('GET', `/experiments/diff?a=${runs[0]}&b=${runs[2]}`)).status).toBe(404);
    expect((await api.call('GET', `/experiments/diff?a=x&b=${runs[2]}`)).status).toBe(400);
  });
});
