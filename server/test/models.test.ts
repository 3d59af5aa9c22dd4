import { validatorFor } from '../src/core/schemas';
import { backends, RegistryEnv } from './models-helpers';

const T = 60_000;

describe.each(backends('api'))('model registry over MLflow on $name', backend => {
  let env: RegistryEnv | undefined;
  beforeAll(async () => {
    const url = await backend.url();
    if (url) env = await RegistryEnv.start(url);
  }, T);
  afterAll(async () => {
    await env?.close();
    await backend.cleanup();
  });
  const run = (name: string, fn: (env: RegistryEnv) => Promise<void>) =>
    (backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test)(name, () => fn(env!), T);

  run('two registrations of a run make versions 1 and 2; aliases, latest versions, search and the download URI follow', async e => {
    const { runId, artifactUri } = await e.trackedRun('alice', 'churn-exp', { auc: 0.91 });
    const created = (await e.ok('alice', 'POST', 'registered-models/create', { name: 'churn', description: 'who leaves' })).registered_model;
    expect(created).toMatchObject({ name: 'churn', description: 'who leaves', latest_versions: [], aliases: [] });
    const v1 = (await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `runs:/${runId}/model`, run_id: runId })).model_version;
    expect(v1).toMatchObject({ name: 'churn', version: '1', run_id: runId, status: 'READY', current_stage: 'None', user_id: 'alice' });
    const v2 = (await e.ok('alice', 'POST', 'model-versions/create', { name: 'churn', source: `${artifactUri}/model` })).model_version;
    expect(v2).toMatchObject({ version: '2', run_id: runId, source: `${artifactUri}/model` });

    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '1' });
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'candidate', version: '2' });
    const champion = (await e.ok('alice', 'GET', 'registered-models/alias', { name: 'churn', alias: 'champion' })).model_version;
    expect(champion).toMatchObject({ version: '1', aliases: ['champion'] });
    // Moving an alias moves it off the other version.
    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '2' });
    const model = (await e.ok('alice', 'GET', 'registered-models/get', { name: 'churn' })).registered_model;
    expect(model.aliases).toEqual([
      { alias: 'candidate', version: '2' },
      { alias: 'champion', version: '2' }
    ]);
    expect(model.latest_versions.map((v: any) => v.version)).toEqual(['2']);

    const latest = (await e.ok('alice', 'POST', 'registered-models/get-latest-versions', { name: 'churn', stages: ['None'] })).model_versions;
    expect(latest.map((v: any) => v.version)).toEqual(['2']);
    const found = (await e.ok('alice', 'GET', 'model-versions/search', { filter: "name = 'churn'" })).model_versions;
    expect(found.map((v: any) => v.version)).toEqual(['2', '1']);
    const byRun = (await e.ok('alice', 'GET', 'model-versions/search', { filter: `run_id = '${runId}' and version_number = 1` })).model_versions;
    expect(byRun.map((v: any) => v.version)).toEqual(['1']);
    const paged = await e.ok('alice', 'GET', 'model-versions/search', { filter: "name = 'churn'", max_results: 1 });
    expect(paged.model_versions.map((v: any) => v.version)).toEqual(['2']);
    const rest = await e.ok('alice', 'GET', 'model-versions/search', { filter: "name = 'churn'", max_results: 1, page_token: paged.next_page_token });
    expect(rest.model_versions.map((v: any) => v.version)).toEqual(['1']);
    expect(rest.next_page_token).toBeUndefined();

    for (const version of ['1', '2']) {
      const uri = (await e.ok('alice', 'GET', 'model-versions/get-download-uri', { name: 'churn', version })).artifact_uri;
      expect(uri).toBe(`${artifactUri}/model`);
    }

    // Conveyor's API: versions with aliases, the source run and its latest metrics.
    const detail = await e.apiJson('alice', '/models/churn');
    expect(detail.model).toMatchObject({ name: 'churn', owner: 'alice', versionCount: 2, latestVersion: 2, aliases: { champion: 2, candidate: 2 } });
    expect(detail.versions.map((v: any) => [v.version, v.aliases, v.runId, v.metrics.auc, v.runVisible])).toEqual([
      [2, ['candidate', 'champion'], runId, 0.91, true],
      [1, [], runId, 0.91, true]
    ]);
    // MLflow's web UI asks the same endpoints under /ajax-api/.
    const ajax = await fetch(`${e.origin}/conveyor/mlflow/ajax-api/2.0/mlflow/registered-models/get?name=churn`, {
      headers: { 'X-Conveyor-Secret': 'test-secret-0123456789', 'X-Conveyor-User': 'alice' }
    });
    expect(((await ajax.json()) as any).registered_model.aliases).toHaveLength(2);
    const list = await e.apiJson('alice', '/models');
    expect(list.models.map((m: any) => [m.name, m.versionCount])).toEqual([['churn', 2]]);
    for (const [schema, body] of [
      ['model.json', detail],
      ['model-list.json', list]
    ] as const) {
      const validate = validatorFor(schema);
      expect({ schema, valid: validate(body), errors: validate.errors ?? null }).toEqual({ schema, valid: true, errors: null });
    }
  });

  run('concurrent registrations into one model get distinct consecutive version numbers', async e => {
    const { runId } = await e.trackedRun('alice', 'race-exp');
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'race' });
    const made = await Promise.all(
      Array.from({ length: 8 }, () => e.ok('alice', 'POST', 'model-versions/create', { name: 'race', source: `runs:/${runId}/model` }))
    );
    expect(made.map(m => Number(m.model_version.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const results = await Promise.all(Array.from({ length: 4 }, () => e.mlflow('alice', 'POST', 'registered-models/create', { name: 'race-2' })));
    expect(results.map(r => r.status).sort()).toEqual([200, 400, 400, 400]);
    expect(results.filter(r => r.status === 400).map(r => r.body.error_code)).toEqual(Array(3).fill('RESOURCE_ALREADY_EXISTS'));
  });

  run('tags, description, rename, stage transitions and deletes keep MLflow semantics; version numbers are never reused', async e => {
    const { runId } = await e.trackedRun('alice', 'fraud-exp');
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'fraud', tags: [{ key: 'team', value: 'risk' }] });
    for (let i = 0; i < 3; i++) await e.ok('alice', 'POST', 'model-versions/create', { name: 'fraud', source: `runs:/${runId}/m`, run_id: runId });
    await e.ok('alice', 'POST', 'model-versions/set-tag', { name: 'fraud', version: '2', key: 'validated', value: 'yes' });
    await e.ok('alice', 'PATCH', 'model-versions/update', { name: 'fraud', version: '2', description: 'good one' });
    await e.ok('alice', 'POST', 'model-versions/transition-stage', { name: 'fraud', version: '1', stage: 'production', archive_existing_versions: false });
    const moved = (
      await e.ok('alice', 'POST', 'model-versions/transition-stage', { name: 'fraud', version: '2', stage: 'Production', archive_existing_versions: true })
    ).model_version;
    expect(moved).toMatchObject({ current_stage: 'Production', description: 'good one', tags: [{ key: 'validated', value: 'yes' }] });
    expect((await e.ok('alice', 'GET', 'model-versions/get', { name: 'fraud', version: '1' })).model_version.current_stage).toBe('Archived');
    const tagged = (await e.ok('alice', 'GET', 'model-versions/search', { filter: "tags.validated = 'yes'" })).model_versions;
    expect(tagged.map((v: any) => `${v.name}/${v.version}`)).toEqual(['fraud/2']);

    await e.ok('alice', 'POST', 'registered-models/alias', { name: 'fraud', alias: 'champion', version: '3' });
    await e.ok('alice', 'DELETE', 'model-versions/delete', { name: 'fraud', version: '3' });
    await e.fails('alice', 'GET', 'model-versions/get', { name: 'fraud', version: '3' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'GET', 'registered-models/alias', { name: 'fraud', alias: 'champion' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    const v4 = (await e.ok('alice', 'POST', 'model-versions/create', { name: 'fraud', source: `runs:/${runId}/m` })).model_version;
    expect(v4.version).toBe('4');

    await e.ok('alice', 'POST', 'registered-models/rename', { name: 'fraud', new_name: 'fraud-v2' });
    await e.fails('alice', 'GET', 'registered-models/get', { name: 'fraud' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    const renamed = (await e.ok('alice', 'GET', 'model-versions/get', { name: 'fraud-v2', version: '4' })).model_version;
    expect(renamed.name).toBe('fraud-v2');
    await e.ok('alice', 'PATCH', 'registered-models/update', { name: 'fraud-v2', description: 'renamed' });
    await e.ok('alice', 'POST', 'registered-models/set-tag', { name: 'fraud-v2', key: 'team', value: 'ml' });
    await e.ok('alice', 'DELETE', 'registered-models/delete-tag', { name: 'fraud-v2', key: 'team' });
    const searched = (await e.ok('alice', 'GET', 'registered-models/search', {
      // The real client appends this to every search (prompts are registered models too in MLflow 3).
      filter: "name LIKE 'fraud%' AND tag.`mlflow.prompt.is_prompt` != 'true'"
    })).registered_models;
    expect(searched.map((m: any) => [m.name, m.description, m.tags])).toEqual([['fraud-v2', 'renamed', []]]);

    await e.ok('alice', 'DELETE', 'registered-models/delete', { name: 'fraud-v2' });
    await e.fails('alice', 'GET', 'model-versions/get', { name: 'fraud-v2', version: '4' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await e.ok('alice', 'GET', 'model-versions/search', { filter: `run_id = '${runId}'` })).model_versions).toEqual([]);
  });

  run('client mistakes answer MLflow errors with 400 or 404, never 5xx, and write nothing', async e => {
    const { runId } = await e.trackedRun('alice', 'errors-exp');
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'errs' });
    await e.fails('alice', 'POST', 'registered-models/create', { name: 'errs' }, 400, 'RESOURCE_ALREADY_EXISTS');
    await e.fails('alice', 'POST', 'registered-models/create', { name: '' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'registered-models/create', { name: 'a/b' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'registered-models/get', { name: 'nope' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'model-versions/create', { name: 'nope', source: `runs:/${runId}/m` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'model-versions/create', { name: 'errs', source: 'file:///etc' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'model-versions/create', { name: 'errs', source: `runs:/${runId}/../x` }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'model-versions/create', { name: 'errs', source: `runs:/${'f'.repeat(32)}/m` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'model-versions/create', { name: 'errs', source: `runs:/${runId}/m`, run_id: 'e'.repeat(32) }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'model-versions/get', { name: 'errs', version: 'abc' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'model-versions/get', { name: 'errs', version: '1' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'registered-models/alias', { name: 'errs', alias: 'champion', version: '7' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.ok('alice', 'POST', 'model-versions/create', { name: 'errs', source: `runs:/${runId}/m` });
    await e.fails('alice', 'POST', 'registered-models/alias', { name: 'errs', alias: 'latest', version: '1' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'registered-models/alias', { name: 'errs', alias: 'bad alias!', version: '1' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'model-versions/search', { filter: "name = 'errs' AND" }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'model-versions/search', { filter: "colour = 'red'" }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'registered-models/search', { max_results: 5000 }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'registered-models/search', { page_token: 'garbage' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', 'registered-models/search', { order_by: 'colour DESC' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'model-versions/transition-stage', { name: 'errs', version: '1', stage: 'Gold' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'DELETE', 'registered-models/delete-tag', { name: 'errs', key: 'missing' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    const res = await fetch(`${e.mlflowBase}/registered-models/create`, {
      method: 'POST',
      headers: { 'X-Conveyor-Secret': 'test-secret-0123456789', 'X-Conveyor-User': 'alice', 'Content-Type': 'application/json' },
      body: '{"name": '
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error_code).toBe('MALFORMED_REQUEST');
    const versions = (await e.ok('alice', 'GET', 'model-versions/search', { filter: "name = 'errs'" })).model_versions;
    expect(versions.map((v: any) => v.version)).toEqual(['1']);
    const unauth = await fetch(`${e.mlflowBase}/registered-models/get?name=errs`);
    expect(unauth.status).toBe(401);
  });
});
