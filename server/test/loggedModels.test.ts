import { tempDir } from './helpers/env';
import { SECRET, startTestServer } from './helpers/server';
import { backends, RegistryEnv } from './models-helpers';

const T = 60_000;
const MLMODEL = 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n';

/** Raw artifact calls of the MLflow artifacts proxy, as one user. */
async function artifact(e: RegistryEnv, user: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${e.origin}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}`, {
    method,
    headers: { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': user },
    ...(body === undefined ? {} : { body })
  });
  return { status: res.status, text: await res.text() };
}

async function experimentOf(e: RegistryEnv, user: string, runId: string): Promise<string> {
  return (await e.ok(user, 'GET', 'runs/get', { run_id: runId })).run.info.experiment_id;
}

describe.each(backends('logged'))('MLflow 3 logged models on $name', backend => {
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

  run('log_model as the client does it: create, outputs, files, finalize, then register from the run and download', async e => {
    const { runId } = await e.trackedRun('alice', 'lm-flow', { auc: 0.9 });
    const exp = await experimentOf(e, 'alice', runId);
    const created = (
      await e.ok('alice', 'POST', 'logged-models', {
        experiment_id: exp,
        name: 'model',
        source_run_id: runId,
        params: [{ key: 'depth', value: '6' }],
        tags: [{ key: 'mlflow.source.type', value: 'NOTEBOOK' }]
      })
    ).model;
    const id = created.info.model_id as string;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(created.info).toMatchObject({
      experiment_id: exp,
      name: 'model',
      source_run_id: runId,
      status: 'LOGGED_MODEL_PENDING',
      artifact_uri: `mlflow-artifacts:/${exp}/models/${id}/artifacts`,
      tags: [{ key: 'mlflow.source.type', value: 'NOTEBOOK' }]
    });
    expect(created.data.params).toEqual([{ key: 'depth', value: '6' }]);

    await e.ok('alice', 'POST', 'runs/outputs', { run_id: runId, models: [{ model_id: id, step: 0 }] });
    expect((await e.ok('alice', 'GET', 'runs/get', { run_id: runId })).run.outputs).toEqual({ model_outputs: [{ model_id: id, step: 0 }] });

    const root = `${exp}/models/${id}/artifacts`;
    expect((await artifact(e, 'alice', 'PUT', `${root}/MLmodel`, MLMODEL)).status).toBe(200);
    expect((await artifact(e, 'alice', 'PUT', `${root}/data/weights.bin`, 'w'.repeat(1000))).status).toBe(200);
    const listing = await fetch(`${e.origin}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`, {
      headers: { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'alice' }
    });
    expect(await listing.json()).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: MLMODEL.length }, { path: 'data', is_dir: true }] });
    expect(await artifact(e, 'alice', 'GET', `${root}/MLmodel`)).toEqual({ status: 200, text: MLMODEL });

    const ready = (await e.ok('alice', 'PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' })).model;
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');

    // register_model("runs:/<run>/model"): no MLmodel under the run's `model`, so the client searches by name.
    const hits = (await e.ok('alice', 'POST', 'logged-models/search', { experiment_ids: [exp], filter: "name = 'model'" })).models;
    expect(hits.map((m: any) => [m.info.model_id, m.info.source_run_id])).toEqual([[id, runId]]);
    await e.ok('alice', 'POST', 'registered-models/create', { name: 'lm-flow' });
    const version = (await e.ok('alice', 'POST', 'model-versions/create', { name: 'lm-flow', source: `models:/${id}`, run_id: runId, model_id: id })).model_version;
    expect(version).toMatchObject({ version: '1', source: `models:/${id}`, run_id: runId });
    // From the logged model alone: the run is the model's source run.
    const second = (await e.ok('alice', 'POST', 'model-versions/create', { name: 'lm-flow', source: `models:/${id}`, model_id: id })).model_version;
    expect(second).toMatchObject({ version: '2', run_id: runId });
    // As MLflow's server: the logged model lists the versions made from it.
    const tags = (await e.ok('alice', 'GET', `logged-models/${id}`)).model.info.tags;
    expect(JSON.parse(tags.find((t: any) => t.key === 'mlflow.modelVersions').value)).toEqual([
      { name: 'lm-flow', version: '1' },
      { name: 'lm-flow', version: '2' }
    ]);
    expect((await e.ok('alice', 'GET', 'model-versions/get-download-uri', { name: 'lm-flow', version: '1' })).artifact_uri).toBe(
      `mlflow-artifacts:/${exp}/models/${id}/artifacts`
    );

    // Soft delete: gone from get and search, still there with allow_deleted.
    await e.ok('alice', 'DELETE', `logged-models/${id}`, { model_id: id });
    await e.fails('alice', 'GET', `logged-models/${id}`, {}, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await e.ok('alice', 'GET', `logged-models/${id}`, { allow_deleted: 'true' })).model.info.model_id).toBe(id);
    expect((await e.ok('alice', 'POST', 'logged-models/search', { experiment_ids: [exp] })).models).toEqual([]);
  });

  run("another user sees none of a logged model unless the experiment is shared, and writes it never", async e => {
    const { runId } = await e.trackedRun('alice', 'lm-vis');
    const exp = await experimentOf(e, 'alice', runId);
    const id = (await e.ok('alice', 'POST', 'logged-models', { experiment_id: exp, name: 'model', source_run_id: runId })).model.info.model_id;
    const root = `${exp}/models/${id}/artifacts`;
    await artifact(e, 'alice', 'PUT', `${root}/MLmodel`, MLMODEL);

    await e.fails('bob', 'GET', `logged-models/${id}`, {}, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'logged-models/search', { experiment_ids: [exp] }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'logged-models', { experiment_id: exp, name: 'mine' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_READY' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'k', value: 'v' }] }, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await artifact(e, 'bob', 'GET', `${root}/MLmodel`)).status).toBe(404);
    expect((await artifact(e, 'bob', 'PUT', `${root}/evil`, 'x')).status).toBe(404);
    await e.ok('bob', 'POST', 'registered-models/create', { name: 'stolen' });
    await e.fails('bob', 'POST', 'model-versions/create', { name: 'stolen', source: `models:/${id}` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'model-versions/create', { name: 'stolen', source: `mlflow-artifacts:/${root}` }, 404, 'RESOURCE_DOES_NOT_EXIST');
    // Bob's own run cannot claim alice's model as an output, nor log a model into her experiment.
    const bob = await e.trackedRun('bob', 'lm-vis-bob');
    await e.fails('bob', 'POST', 'runs/outputs', { run_id: bob.runId, models: [{ model_id: id, step: 0 }] }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('bob', 'POST', 'logged-models', { experiment_id: exp, source_run_id: runId }, 404, 'RESOURCE_DOES_NOT_EXIST');

    const shared = await e.api('alice', `/experiments/${exp}/shares`, { method: 'PUT', body: JSON.stringify({ users: ['bob'] }) });
    expect(shared.status).toBe(200);
    expect((await e.ok('bob', 'GET', `logged-models/${id}`)).model.info.model_id).toBe(id);
    expect((await e.ok('bob', 'POST', 'logged-models/search', { experiment_ids: [exp] })).models.map((m: any) => m.info.model_id)).toEqual([id]);
    expect(await artifact(e, 'bob', 'GET', `${root}/MLmodel`)).toEqual({ status: 200, text: MLMODEL });
    // Read-only: writes are refused, and nothing changed.
    await e.fails('bob', 'PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_UPLOAD_FAILED' }, 403, 'PERMISSION_DENIED');
    await e.fails('bob', 'POST', `logged-models/${id}/params`, { params: [{ key: 'x', value: '1' }] }, 403, 'PERMISSION_DENIED');
    await e.fails('bob', 'DELETE', `logged-models/${id}`, {}, 403, 'PERMISSION_DENIED');
    await e.fails('bob', 'PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'k', value: 'v' }] }, 403, 'PERMISSION_DENIED');
    await e.fails('bob', 'POST', 'logged-models', { experiment_id: exp, name: 'mine' }, 403, 'PERMISSION_DENIED');
    expect((await artifact(e, 'bob', 'PUT', `${root}/evil`, 'x')).status).toBe(403);
    const after = (await e.ok('alice', 'GET', `logged-models/${id}`)).model;
    expect([after.info.status, after.data.params]).toEqual(['LOGGED_MODEL_PENDING', []]);
    // A shared reader may register the model into a registered model of their own.
    expect((await e.ok('bob', 'POST', 'model-versions/create', { name: 'stolen', source: `models:/${id}` })).model_version).toMatchObject({ run_id: runId });
    // …and the client's follow-up write of `mlflow.modelVersions` is answered, the server's list kept.
    await e.ok('bob', 'PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'mlflow.modelVersions', value: '[{"name": "forged", "version": "9"}]' }] });
    const listed = (await e.ok('alice', 'GET', `logged-models/${id}`)).model.info.tags;
    expect(listed).toEqual([{ key: 'mlflow.modelVersions', value: JSON.stringify([{ name: 'stolen', version: '1' }]) }]);
  });

  run('mistakes get MLflow error codes and change nothing', async e => {
    const { runId } = await e.trackedRun('alice', 'lm-errors');
    const exp = await experimentOf(e, 'alice', runId);
    const id = (await e.ok('alice', 'POST', 'logged-models', { experiment_id: exp, name: 'm', params: [{ key: 'lr', value: '0.1' }] })).model.info.model_id;

    await e.fails('alice', 'GET', `logged-models/m-${'0'.repeat(32)}`, {}, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'GET', 'logged-models/nope', {}, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'logged-models', { name: 'no experiment' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models', { experiment_id: '987654321' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'logged-models', { experiment_id: exp, name: 'a\u0000b' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models', { experiment_id: exp, params: 'lr=1' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models', { experiment_id: exp, source_run_id: 'f'.repeat(32) }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'logged-models', { experiment_id: '0', source_run_id: runId }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'PATCH', `logged-models/${id}`, { status: 'SHINY' }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', `logged-models/${id}/params`, { params: [{ key: 'lr', value: '0.2' }] }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'DELETE', `logged-models/${id}/tags/absent`, {}, 404, 'RESOURCE_DOES_NOT_EXIST');
    await e.fails('alice', 'POST', 'logged-models/search', {}, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models/search', { experiment_ids: [exp], filter: "name = 'm' AND" }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models/search', { experiment_ids: [exp], order_by: [{ field_name: 'colour' }] }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'POST', 'logged-models/search', { experiment_ids: [exp], max_results: 0 }, 400, 'INVALID_PARAMETER_VALUE');
    await e.fails('alice', 'GET', `logged-models/${id}/artifacts/directories`, {}, 404, 'ENDPOINT_NOT_FOUND');
    await e.fails('alice', 'POST', 'runs/outputs', { run_id: runId, models: [{ model_id: `m-${'1'.repeat(32)}` }] }, 404, 'RESOURCE_DOES_NOT_EXIST');
    const malformed = await fetch(`${e.mlflowBase}/logged-models`, {
      method: 'POST',
      headers: { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'alice', 'Content-Type': 'application/json' },
      body: '{"experiment_id": '
    });
    expect([malformed.status, ((await malformed.json()) as any).error_code]).toEqual([400, 'MALFORMED_REQUEST']);
    expect((await artifact(e, 'alice', 'PUT', `${exp}/models/${id}/artifacts/bad%00name`, 'x')).status).toBe(400);

    const still = (await e.ok('alice', 'GET', `logged-models/${id}`)).model;
    expect([still.info.status, still.data.params]).toEqual(['LOGGED_MODEL_PENDING', [{ key: 'lr', value: '0.1' }]]);
    expect((await e.ok('alice', 'POST', 'logged-models/search', { experiment_ids: [exp] })).models).toHaveLength(1);
  });

  run('logged models, their files and run outputs survive a restart of the server on the same database', async () => {
    // Both servers on the same data directory, where the artifact bytes live.
    const data = tempDir('logged-restart');
    const start = async (): Promise<RegistryEnv> => {
      const srv = await startTestServer({ databaseUrl: url!, dataDir: data.path });
      return new RegistryEnv(`http://127.0.0.1:${srv.port}`, () => srv.close());
    };
    await env?.close();
    const e = await start();
    const { runId } = await e.trackedRun('alice', 'lm-restart');
    const exp = await experimentOf(e, 'alice', runId);
    const id = (await e.ok('alice', 'POST', 'logged-models', { experiment_id: exp, name: 'kept', source_run_id: runId })).model.info.model_id;
    await artifact(e, 'alice', 'PUT', `${exp}/models/${id}/artifacts/MLmodel`, MLMODEL);
    await e.ok('alice', 'POST', 'runs/outputs', { run_id: runId, models: [{ model_id: id, step: 3 }] });
    await e.ok('alice', 'PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_READY' });
    await e.close();
    env = await start();
    const again = (await env.ok('alice', 'GET', `logged-models/${id}`)).model;
    expect([again.info.name, again.info.status, again.info.source_run_id]).toEqual(['kept', 'LOGGED_MODEL_READY', runId]);
    expect(await artifact(env, 'alice', 'GET', `${exp}/models/${id}/artifacts/MLmodel`)).toEqual({ status: 200, text: MLMODEL });
    expect((await env.ok('alice', 'GET', 'runs/get', { run_id: runId })).run.outputs).toEqual({ model_outputs: [{ model_id: id, step: 3 }] });
    await env.close();
    env = undefined;
    data.cleanup();
  });
});
