import { expectError } from './helpers/expectError';
import { backends, RegistryEnv } from './models-helpers';

const T = 60_000;

describe.each(backends('visibility'))('who sees and writes which models on $name', backend => {
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

  run("a user can neither see nor register into another user's model, nor register another user's run", async e => {
    const alice = await e.trackedRun('alice', 'vis-a', { auc: 0.8 });
    const bob = await e.trackedRun('bob', 'vis-b');
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'churn' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${alice.runId}/model` });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '1' });

    // Invisible is the same answer as absent.
    await e.fails('bob', 'GET', 'registered-models/get', { name: 'churn' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'GET', 'model-versions/get', { name: 'churn', version: '1' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'GET', 'registered-models/alias', { name: 'churn', alias: 'champion' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'GET', 'model-versions/get-download-uri', { name: 'churn', version: '1' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${bob.runId}/model` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'DELETE', 'registered-models/delete', { name: 'churn' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await e.ok('bob', 'GET', 'registered-models/search', {})).registered_models).toEqual([]);
    expect((await e.ok('bob', 'GET', 'model-versions/search', {})).model_versions).toEqual([]);
    await expectError(await e.api('bob', '/models/churn'), 404, 'model_not_found');
    expect((await e.apiJson('bob', '/models')).models).toEqual([]);

    // Bob's own model of the same name is his; he cannot put alice's run in it.
    await e.ok('bob', 'POST', 'registered-models/create', { name: 'churn' });
    await e.fails('bob', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${alice.runId}/model` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'model-versions/create', { name: 'churn', source: `${alice.artifactUri}/model` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    const own = (await e.ok('bob', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${bob.runId}/model` })).model_version;
    expect(own).toMatchObject({ name: 'churn', version: '1', run_id: bob.runId, user_id: 'bob' });
    expect((await e.ok('alice', 'GET', 'registered-models/get', { name: 'churn' })).registered_model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect((await e.ok('bob', 'GET', 'registered-models/get', { name: 'churn' })).registered_model.aliases).toEqual([]);
  });

  run('a shared model is readable by the users it is shared with and writable only by its owner', async e => {
    const alice = await e.trackedRun('alice', 'share-a', { rmse: 1.5 });
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'prices' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'prices', source: `runs:/${alice.runId}/model` });
    await expectError(await e.api('carol', '/models/prices/shares', { method: 'PUT', body: JSON.stringify({ users: ['carol'] }) }), 404, 'model_not_found');
    await expectError(await e.api('alice', '/models/prices/shares', { method: 'PUT', body: JSON.stringify({ users: ['no spaces'] }) }), 400, 'invalid_request');
    const shared = await e.api('alice', '/models/prices/shares', { method: 'PUT', body: JSON.stringify({ users: ['carol'] }) });
    expect(shared.status).toBe(200);
    expect(((await shared.json()) as any).model.sharedWith).toEqual(['carol']);

    const got = (await e.ok('carol', 'GET', 'model-versions/get', { name: 'prices', version: '1' })).model_version;
    expect(got).toMatchObject({ name: 'prices', version: '1', user_id: 'alice' });
    const carolsView = await e.apiJson('carol', '/models/prices');
    expect(carolsView.model).toMatchObject({ owner: 'alice', sharedWith: [] });
    // The experiment is not shared with carol: the version shows, its run's metrics do not.
    expect(carolsView.versions[0]).toMatchObject({ version: 1, runVisible: false, metrics: {} });
    expect((await e.apiJson('alice', '/models/prices')).versions[0]).toMatchObject({ runVisible: true, metrics: { rmse: 1.5 } });

    await e.fails('carol', 'POST', 'registered-models/alias', { name: 'prices', alias: 'champion', version: '1' }, 403, 'PERMISSION_DENIED');
    await e.fails('carol', 'DELETE', 'model-versions/delete', { name: 'prices', version: '1' }, 403, 'PERMISSION_DENIED');
    await e.fails('carol', 'POST', 'model-versions/create', { name: 'prices', source: `runs:/${alice.runId}/model` }, 403, 'PERMISSION_DENIED');
    await e.fails('dave', 'GET', 'registered-models/get', { name: 'prices' }, 404, 'RESOURCE_DOES_NOT_EXIST');

    await e.api('alice', '/models/prices/shares', { method: 'PUT', body: JSON.stringify({ users: [] }) });
    await e.fails('carol', 'GET', 'registered-models/get', { name: 'prices' }, 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  run('the registry survives a restart of the server on the same database', async e => {
    const alice = await e.trackedRun('alice', 'restart-a');
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'kept' });
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'kept', source: `runs:/${alice.runId}/model` });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'kept', alias: 'champion', version: '1' });
    await e.close();
    env = await RegistryEnv.start(url!);
    const again = (await env.ok('alice', 'GET', 'registered-models/alias', { name: 'kept', alias: 'champion' })).model_version;
    expect(again).toMatchObject({ name: 'kept', version: '1', run_id: alice.runId });
    expect((await env.ok('alice', 'POST', 'model-versions/create', { name: 'kept', source: `runs:/${alice.runId}/model` })).model_version.version).toBe('2');
  });
});
