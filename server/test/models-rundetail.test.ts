import { backends, RegistryEnv } from './models-helpers';

const T = 60_000;

describe.each(backends('rundetail'))('the run detail lists the model versions registered from the run on $name', backend => {
  let url: string | undefined;
  let env: RegistryEnv | undefined;
  beforeAll(async () => {
    url = await backend.url();
    if (url) env = await RegistryEnv.start(url);
  }, T);
  afterAll(async () => {
    await env?.close();
    await backend.cleanup();
  });
  const run = (name: string, fn: (env: RegistryEnv) => Promise<void>) =>
    (backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test)(name, () => fn(env!), T);

  run('versions of visible models with their aliases and status; deleted versions and other runs are left out', async e => {
    const a = await e.trackedRun('alice', 'rd', { auc: 0.9 });
    const other = await e.trackedRun('alice', 'rd', { auc: 0.7 });
    expect((await e.apiJson('alice', `/experiments/runs/${a.runId}`)).modelVersions).toEqual([]);

    await e.ok('alice', 'POST', 'registered-models/create', { name: 'churn' });
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'b-model' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${a.runId}/model` });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${other.runId}/model` });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${a.runId}/model` });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'b-model', source: `runs:/${a.runId}/model` });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'b-model', source: `runs:/${a.runId}/model` });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '3' });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'candidate', version: '3' });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'old', version: '2' });
    await e.ok('alice', 'DELETE', 'model-versions/delete', { name: 'b-model', version: '2' });

    const detail = await e.apiJson('alice', `/experiments/runs/${a.runId}`);
    expect(detail.modelVersions).toEqual([
      { name: 'b-model', version: 1, aliases: [], status: 'READY' },
      { name: 'churn', version: 3, aliases: ['candidate', 'champion'], status: 'READY' },
      { name: 'churn', version: 1, aliases: [], status: 'READY' }
    ]);
    expect((await e.apiJson('alice', `/experiments/runs/${other.runId}`)).modelVersions).toEqual([
      { name: 'churn', version: 2, aliases: ['old'], status: 'READY' }
    ]);
  });

  run("a reader of the run sees only the versions of models they can see, not the owner's private ones", async e => {
    const a = await e.trackedRun('alice', 'rd-shared', { auc: 0.8 });
    const exps = (await e.apiJson('alice', '/experiments')).experiments as { id: string; name: string }[];
    const exp = exps.find(x => x.name === 'rd-shared')!;
    const shared = await e.api('alice', `/experiments/${exp.id}/shares`, { method: 'PUT', body: JSON.stringify({ users: ['carol'] }) });
    expect(shared.status).toBe(200);
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'private' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'private', source: `runs:/${a.runId}/model` });
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'public' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'public', source: `runs:/${a.runId}/model` });
    expect((await e.api('alice', '/models/public/shares', { method: 'PUT', body: JSON.stringify({ users: ['carol'] }) })).status).toBe(200);

    expect((await e.apiJson('alice', `/experiments/runs/${a.runId}`)).modelVersions.map((v: { name: string }) => v.name)).toEqual(['private', 'public']);
    expect((await e.apiJson('carol', `/experiments/runs/${a.runId}`)).modelVersions).toEqual([{ name: 'public', version: 1, aliases: [], status: 'READY' }]);
    // Someone who cannot read the run gets the run's 404, not its models.
    expect((await e.api('dave', `/experiments/runs/${a.runId}`)).status).toBe(404);
  });
});
