import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tempDir } from './helpers/env';
import { secretHeaders, startTestServer, type TestServer } from './helpers/server';
import { backends } from './models-helpers';

const T = 60_000;

/** A small valid component; `over` replaces fields. */
function spec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'clean',
    version: '1.0.0',
    description: 'Drops empty rows',
    tags: ['data'],
    inputs: [
      { name: 'raw', type: 'dataset' },
      { name: 'threshold', type: 'parameter', paramType: 'number', default: 0.5, minimum: 0, maximum: 1 }
    ],
    outputs: [{ name: 'clean.csv', type: 'dataset' }],
    implementation: { image: 'conveyor/base:dev', command: ['python3', '.component/clean.py'], files: { 'clean.py': 'print(1)\n' } },
    ...over
  };
}

function pipeline(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'p', steps, ...extra };
}

describe.each(backends('components'))('components on $name', backend => {
  let t: TestServer | undefined;
  let ws: { path: string; cleanup(): void };

  beforeAll(async () => {
    const databaseUrl = await backend.url();
    if (!databaseUrl) return;
    ws = tempDir('components-ws');
    t = await startTestServer({ databaseUrl, workspaceDir: ws.path });
  }, T);
  afterAll(async () => {
    await t?.close();
    ws?.cleanup();
    await backend.cleanup();
  });

  const call = async (method: string, path: string, body?: unknown, user = 'alice'): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${t!.url}${path}`, {
      method,
      headers: { ...secretHeaders(user), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(ws.path, rel)), { recursive: true });
    writeFileSync(join(ws.path, rel), text);
  };
  const messages = (body: any): string => (body.error?.details?.errors ?? body.errors ?? []).map((e: any) => `${e.path} ${e.message}`).join('\n');

  test('the catalog lists the built-ins, workspace component files and the registry, newest version first', async () => {
    if (!t) return;
    write('components/clean/clean.component.yaml', `name: clean\nversion: 1.2.0\ninputs: [{name: raw, type: dataset}]\noutputs: [{name: clean.csv, type: dataset}]\nimplementation: {notebook: clean.ipynb}\n`);
    write('components/old.component.json', JSON.stringify(spec({ version: '1.10.0' })));
    write('components/broken.component.yaml', 'name: broken\nversion: one\n');
    const { status, body } = await call('GET', '/components');
    expect(status).toBe(200);
    const refs = body.components.map((c: any) => `${c.source}:${c.ref}`);
    for (const b of ['validate-table', 'split-table', 'train-sklearn', 'evaluate-sklearn', 'batch-score', 'register-model', 'pick-best']) {
      expect(refs).toContain(`builtin:${b}@1.0.0`);
    }
    // Two files with the name clean: one entry, the newest by semver (1.10.0 > 1.2.0).
    const clean = body.components.find((c: any) => c.source === 'workspace' && c.spec.name === 'clean');
    expect(clean).toMatchObject({ ref: 'clean@1.10.0', versions: ['1.10.0', '1.2.0'], path: 'components/old.component.json' });
    expect(body.errors).toEqual([{ path: 'components/broken.component.yaml', message: expect.stringMatching(/invalid component: \/version must match pattern|implementation/) }]);
    const train = body.components.find((c: any) => c.ref === 'train-sklearn@1.0.0');
    expect(train.spec.inputs.find((i: any) => i.name === 'n_estimators')).toMatchObject({ type: 'parameter', paramType: 'integer', default: 100 });
    expect(Object.keys(train.spec.implementation.files)).toEqual(expect.arrayContaining(['main.py', 'conveyor_component.py']));
    const tagged = await call('GET', '/components?tag=sklearn&q=train');
    expect(tagged.body.components.map((c: any) => c.ref)).toEqual(['train-sklearn@1.0.0']);
  });

  test('publish: namespaced per user, immutable versions (409), shared/ for everyone, shares per user, versions listed', async () => {
    if (!t) return;
    const first = await call('POST', '/components', { spec: spec() });
    expect(first).toMatchObject({ status: 201, body: { ref: 'users/alice/clean@1.0.0', source: 'registry', owner: 'alice' } });
    const again = await call('POST', '/components', { spec: spec({ description: 'changed' }) });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'component_version_exists', message: expect.stringContaining('users/alice/clean@1.0.0 is already published') });
    expect((await call('POST', '/components', { spec: spec({ version: '1.1.0' }) })).status).toBe(201);
    const versions = await call('GET', '/components/users/alice/clean');
    expect(versions.body.components.map((c: any) => c.spec.version)).toEqual(['1.1.0', '1.0.0']);
    const one = await call('GET', '/components/users/alice/clean/1.0.0');
    expect(one.body).toMatchObject({ ref: 'users/alice/clean@1.0.0', name: 'users/alice/clean', spec: { name: 'clean', description: 'Drops empty rows' } });
    // Bob sees neither alice's namespace nor its versions.
    expect((await call('GET', '/components/users/alice/clean', undefined, 'bob')).status).toBe(404);
    const bobList = await call('GET', '/components', undefined, 'bob');
    expect(bobList.body.components.some((c: any) => c.ref.startsWith('users/alice/'))).toBe(false);
    // Shared: everyone reads it.
    expect(await call('POST', '/components', { spec: spec({ name: 'common' }), shared: true })).toMatchObject({ status: 201, body: { ref: 'shared/common@1.0.0' } });
    expect((await call('GET', '/components/shared/common/1.0.0', undefined, 'bob')).status).toBe(200);
    expect((await call('GET', '/components/nothing-here')).status).toBe(404);

    // Shares (as models): alice lets bob read users/alice/clean, every version; then takes it back.
    expect(await call('PUT', '/components/users/alice/clean/shares', { users: ['bob'] })).toMatchObject({ status: 200, body: { sharedWith: ['bob'] } });
    const bobSees = await call('GET', '/components/users/alice/clean', undefined, 'bob');
    expect(bobSees.body.components.map((c: any) => c.ref)).toEqual(['users/alice/clean@1.1.0', 'users/alice/clean@1.0.0']);
    expect(bobSees.body.components[0].sharedWith).toBeUndefined();
    const aliceSees = await call('GET', '/components?q=users/alice/clean');
    expect(aliceSees.body.components[0]).toMatchObject({ ref: 'users/alice/clean@1.1.0', sharedWith: ['bob'] });
    // Bob cannot share alice's component (nor pretend to own it), nor a component that does not exist.
    expect((await call('PUT', '/components/users/alice/clean/shares', { users: ['carol'] }, 'bob')).status).toBe(404);
    expect((await call('PUT', '/components/users/alice/none/shares', { users: ['carol'] })).status).toBe(404);
    expect((await call('PUT', '/components/users/alice/clean/shares', { users: ['no spaces'] })).status).toBe(400);
    expect((await call('GET', '/components/users/alice/clean', undefined, 'carol')).status).toBe(404);
    expect((await call('PUT', '/components/users/alice/clean/shares', { users: ['*'] })).body.sharedWith).toEqual(['*']);
    expect((await call('GET', '/components/users/alice/clean/1.0.0', undefined, 'carol')).status).toBe(200);
    expect((await call('PUT', '/components/users/alice/clean/shares', { users: [] })).body.sharedWith).toEqual([]);
    expect((await call('GET', '/components/users/alice/clean', undefined, 'bob')).status).toBe(404);
  });

  test('bad specs are 400 invalid_component naming the field', async () => {
    if (!t) return;
    const cases: [Record<string, unknown>, RegExp][] = [
      [spec({ inputs: [{ name: 'raw' }] }), /\/inputs\/0 must have required property 'type'/],
      [spec({ inputs: [{ name: 'raw', type: 'table' }] }), /\/inputs\/0\/type must be equal to one of the allowed values/],
      [spec({ inputs: [{ name: 'n', type: 'parameter' }] }), /\/inputs\/0\/paramType parameter "n" needs a paramType/],
      [spec({ inputs: [{ name: 'n', type: 'parameter', paramType: 'integer', default: 9, maximum: 5 }] }), /\/inputs\/0\/default default of "n" must be ≤ 5, got 9/],
      [spec({ inputs: [{ name: 'raw', type: 'dataset', default: 3 }] }), /\/inputs\/0\/default is only for inputs of type parameter/],
      [spec({ outputs: [{ name: 'raw', type: 'dataset' }] }), /\/outputs\/0\/name "raw" is already the name of an input/],
      [spec({ implementation: { notebook: 'a.ipynb', command: ['x'] } }), /\/implementation must have exactly one of notebook or command/],
      [spec({ version: '1.0' }), /\/version must match pattern/],
      [spec({ implementation: { command: ['x'], files: { '../evil.py': '' } } }), /\/implementation\/files\/\.\.\/evil\.py must be a plain relative path|must match pattern/]
    ];
    for (const [bad, message] of cases) {
      const res = await call('POST', '/components', { spec: bad });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code: 'invalid_component' });
      expect(messages(res.body)).toMatch(message);
    }
    expect((await call('POST', '/components', { nope: 1 })).status).toBe(400);
  });

  test('a Kubeflow Pipelines component.yaml imports as a component, and publishes', async () => {
    if (!t) return;
    const kfp = `name: Train model
description: Trains a model
inputs:
- {name: Training data, type: CSV}
- {name: Epochs, type: Integer, default: '5'}
outputs:
- {name: Model, type: Model}
implementation:
  container:
    image: python:3.12
    command: [python3, train.py, --data, {inputPath: Training data}, --epochs, {inputValue: Epochs}, --out, {outputPath: Model}]
`;
    const res = await call('POST', '/components/import/kfp', { yaml: kfp, version: '0.3.0' });
    expect(res.status).toBe(200);
    expect(res.body.spec).toMatchObject({
      name: 'train-model',
      version: '0.3.0',
      inputs: [
        { name: 'training_data', type: 'dataset' },
        { name: 'epochs', type: 'parameter', paramType: 'integer', default: 5 }
      ],
      outputs: [{ name: 'model', type: 'model' }],
      implementation: { image: 'python:3.12', command: ['python3', '.component/kfp_launch.py', expect.any(String)] }
    });
    expect(JSON.parse(res.body.spec.implementation.command[2])).toEqual(['python3', 'train.py', '--data', 'inputs/training_data', '--epochs', { param: 'epochs' }, '--out', 'model']);
    const published = await call('POST', '/components/import/kfp', { yaml: kfp, publish: true });
    expect(published).toMatchObject({ status: 201, body: { published: { ref: 'users/alice/train-model@1.0.0' } } });
    const bad = await call('POST', '/components/import/kfp', { yaml: 'name: x\nimplementation: {graph: {}}\n' });
    expect(bad.status).toBe(400);
    expect(messages(bad.body)).toMatch(/\/implementation\/container is required/);
    for (const yaml of ['[1, 2', '- a list', 'name: x\ninputs: [null]\nimplementation: {container: {image: i, command: [a]}}', 'name: x\noutputs: 3\nimplementation: {container: {image: i, command: [{ifPresent: x}]}}']) {
      const res = await call('POST', '/components/import/kfp', { yaml });
      expect({ yaml, status: res.status, code: res.body.error.code }).toEqual({ yaml, status: 400, code: 'invalid_component' });
    }
  });

  test('pipelines: component steps expand, edges are type-checked, errors name the step', async () => {
    if (!t) return;
    const ok = pipeline([
      { name: 'validate', component: 'validate-table@1.0.0', files: ['data.csv'], params: { path: 'data.csv' } },
      { name: 'split', component: 'split-table@1.0.0', inputs: { data: 'validate.table.csv' } },
      { name: 'train', component: 'train-sklearn@1.0.0', inputs: { train: 'split.train.csv' }, params: { n_estimators: 10 }, resources: { memory: '1Gi' } },
      { name: 'evaluate', component: 'evaluate-sklearn@1.0.0', inputs: { model: 'train.model.pkl', test: 'split.test.csv' } }
    ]);
    const v = await call('POST', '/pipelines/validate', { pipeline: ok });
    expect(v.status).toBe(200);
    expect(v.body.order).toEqual(['validate', 'split', 'train', 'evaluate']);
    const train = v.body.pipeline.steps[2];
    expect(train).toMatchObject({
      name: 'train',
      command: ['python3', '.component/main.py'],
      image: 'conveyor/datascience:dev',
      resources: { cpus: 1, memory: '1Gi' },
      outputs: ['model.pkl'],
      env: { CONVEYOR_COMPONENT: 'train-sklearn@1.0.0' }
    });
    expect(train.component).toBeUndefined();
    expect(train.params).toMatchObject({ n_estimators: 10, algorithm: 'random_forest', target: 'target' });

    // metrics → model: incompatible edge, named by path and step.
    const wrong = structuredClone(ok) as any;
    wrong.steps.push({ name: 'register', component: 'register-model@1.0.0', inputs: { model: 'evaluate.metrics.json' } });
    const bad = await call('POST', '/pipelines/validate', { pipeline: wrong });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_pipeline');
    expect(messages(bad.body)).toContain('/steps/4/inputs/model "evaluate.metrics.json" is a metrics, but input "model" of register-model@1.0.0 takes a model');
    const per = await call('POST', '/pipelines/validate', { pipeline: wrong, perStep: true });
    expect(per.status).toBe(200);
    expect(per.body.valid).toBe(false);
    expect(per.body.errors).toEqual([expect.objectContaining({ step: 'register', path: '/steps/4/inputs/model' })]);
    expect(per.body.steps.train.outputs).toEqual([{ name: 'model.pkl', type: 'model', description: expect.any(String) }]);

    // Unknown output, unknown version, bad parameter, missing input, unknown parameter.
    const many = pipeline([
      { name: 'split', component: 'split-table@1.0.0', inputs: { data: 'dataset://iris@v1' }, params: { test_size: 2, nope: 1 } },
      { name: 'train', component: 'train-sklearn@9.9.9', inputs: { train: 'split.train.csv' } },
      { name: 'evaluate', component: 'evaluate-sklearn@1.0.0', inputs: { model: 'split.model.pkl' } }
    ]);
    const m = await call('POST', '/pipelines/validate', { pipeline: many, perStep: true });
    const text = m.body.errors.map((e: any) => `${e.step} ${e.path} ${e.message}`).join('\n');
    expect(text).toContain('split /steps/0/params/test_size parameter "test_size" of split-table@1.0.0 must be ≤ 0.99, got 2');
    expect(text).toContain('split /steps/0/params/nope split-table@1.0.0 has no parameter "nope"');
    expect(text).toContain('train /steps/1/component component "train-sklearn" has no version 9.9.9 (versions: 1.0.0)');
    expect(text).toContain('evaluate /steps/2/inputs/model "split.model.pkl": step "split" (split-table@1.0.0) has no output "model.pkl"');
    expect(text).toContain('evaluate /steps/2/inputs evaluate-sklearn@1.0.0 needs its dataset input "test"');

    // A workspace component implemented by a notebook beside its file: read at expansion, run as .component/<notebook>.
    const nbStep = pipeline([{ name: 'clean', component: 'clean@1.2.0', inputs: { raw: 'dataset://raw@v1' } }]);
    const missing = await call('POST', '/pipelines/validate', { pipeline: nbStep });
    expect(messages(missing.body)).toContain('/steps/0/component component clean@1.2.0 (components/clean/clean.component.yaml): its notebook components/clean/clean.ipynb is not in the workspace');
    write('components/clean/clean.ipynb', '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}');
    const nb = await call('POST', '/pipelines/validate', { pipeline: nbStep });
    expect(nb.body.pipeline.steps[0]).toMatchObject({ name: 'clean', notebook: '.component/clean.ipynb', outputs: ['clean.csv'] });

    // A cycle through component steps is found before expansion.
    const cycle = pipeline([
      { name: 'a', component: 'split-table@1.0.0', inputs: { data: 'b.predictions.csv' } },
      { name: 'b', component: 'batch-score@1.0.0', inputs: { data: 'a.test.csv' } }
    ]);
    const c = await call('POST', '/pipelines/validate', { pipeline: cycle });
    expect(c.status).toBe(400);
    expect(c.body.error.message).toMatch(/pipeline has a cycle: a → b → a|pipeline has a cycle: b → a → b/);
    const cPer = await call('POST', '/pipelines/validate', { pipeline: cycle, perStep: true });
    expect(cPer.body).toMatchObject({ valid: false, errors: [{ path: '/steps', step: null }] });

    // A submit refuses the same problems with the same 400 (nothing is created).
    const submit = await call('POST', '/runs', { pipeline: wrong });
    expect(submit.status).toBe(400);
    expect(messages(submit.body)).toContain('/steps/4/inputs/model');
  });

  test('templates: listed, instantiated with swapped slots, never overwriting or leaving the workspace', async () => {
    if (!t) return;
    const list = await call('GET', '/pipeline-templates');
    expect(list.body.templates.map((x: any) => x.id).sort()).toEqual(['batch-scoring', 'sweep-pick-best', 'train-evaluate-register']);
    // A workspace trainer that fits the slot (train → model.pkl) and has a parameter of its own.
    write(
      'components/knn.component.yaml',
      `name: train-knn\nversion: 0.1.0\ninputs:\n  - {name: train, type: dataset}\n  - {name: k, type: parameter, paramType: integer, default: 5}\noutputs: [{name: model.pkl, type: model}]\nimplementation: {command: [python3, .component/knn.py], files: {knn.py: "pass"}}\n`
    );
    const made = await call('POST', '/pipeline-templates/train-evaluate-register/instantiate', { path: 'work/ter.yaml', slots: { train: 'train-knn@0.1.0' }, name: 'mine' });
    expect(made.status).toBe(201);
    const written = parseYaml(readFileSync(join(ws.path, 'work/ter.yaml'), 'utf8'));
    expect(written.name).toBe('mine');
    const train = written.steps.find((s: any) => s.name === 'train');
    // The default trainer's params (target, n_estimators) do not exist on the new one: dropped.
    expect(train).toEqual({ name: 'train', component: 'train-knn@0.1.0', inputs: { train: 'split.train.csv' } });
    const valid = await call('POST', '/pipelines/validate', { pipelinePath: 'work/ter.yaml', perStep: true });
    expect(valid.body).toMatchObject({ valid: true, errors: [] });

    const again = await call('POST', '/pipeline-templates/train-evaluate-register/instantiate', { path: 'work/ter.yaml' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'exists' } } });
    const outside = await call('POST', '/pipeline-templates/batch-scoring/instantiate', { path: '../escape.yaml' });
    expect(outside).toMatchObject({ status: 400, body: { error: { code: 'path_outside_workspace' } } });
    expect(existsSync(join(ws.path, '..', 'escape.yaml'))).toBe(false);
    const mismatch = await call('POST', '/pipeline-templates/train-evaluate-register/instantiate', { path: 'x.yaml', slots: { train: 'batch-score@1.0.0' } });
    expect(mismatch).toMatchObject({ status: 400, body: { error: { code: 'slot_mismatch', message: expect.stringContaining('has no input "train"') } } });
    expect((await call('POST', '/pipeline-templates/train-evaluate-register/instantiate', { path: 'x.yaml', slots: { nope: 'a@1.0.0' } })).status).toBe(400);
    expect((await call('POST', '/pipeline-templates/nope/instantiate', { path: 'x.yaml' })).status).toBe(404);
    expect(existsSync(join(ws.path, 'x.yaml'))).toBe(false);
  });
});
