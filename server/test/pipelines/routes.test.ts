import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from '../helpers/env';
import { expectError } from '../helpers/expectError';
import { json, secretHeaders, startTestServer, type TestServer } from '../helpers/server';

const examples = join(__dirname, '..', '..', '..', 'examples', 'pipelines');

describe('pipeline and notebook routes', () => {
  let srv: TestServer;
  let ws: ReturnType<typeof tempDir>;
  let outside: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    ws = tempDir('ws');
    outside = tempDir('outside');
    cpSync(examples, join(ws.path, 'demo'), { recursive: true });
    writeFileSync(join(ws.path, 'broken.ipynb'), '{"cells": [');
    writeFileSync(join(ws.path, 'old.ipynb'), JSON.stringify({ nbformat: 3, worksheets: [] }));
    writeFileSync(join(outside.path, 'x.ipynb'), readFileSync(join(examples, 'train.ipynb')));
    symlinkSync(outside.path, join(ws.path, 'escape'));
    mkdirSync(join(ws.path, 'cyc'));
    writeFileSync(join(ws.path, 'cyc', 'p.yaml'), 'apiVersion: conveyor/v1\nkind: Pipeline\nname: c\nsteps:\n- {name: a, command: [x], dependsOn: [b]}\n- {name: b, command: [x], dependsOn: [a]}\n');
    srv = await startTestServer({ workspaceDir: ws.path });
  });
  afterAll(async () => {
    await srv.close();
    ws.cleanup();
    outside.cleanup();
  });

  const post = (path: string, body: unknown, user?: string) =>
    fetch(`${srv.url}${path}`, { method: 'POST', headers: { ...secretHeaders(user), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const get = (path: string) => fetch(`${srv.url}${path}`, { headers: secretHeaders() });

  it('validates a workspace pipeline file and returns the step order', async () => {
    const res = await post('/pipelines/validate', { pipelinePath: 'demo/train.yaml' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.order).toEqual(['prepare', 'train-a', 'train-b', 'compare']);
    expect(body.pipeline.steps[1].inputs).toEqual({ 'data.csv': 'prepare.data.csv' });
  });

  it('validates an inline v1alpha1 pipeline and an Elyra file by path', async () => {
    const inline = await json(await post('/pipelines/validate', { pipeline: { apiVersion: 'conveyor/v1alpha1', name: 'x', nodes: [{ id: 'a', script: 'a.py' }] } }));
    expect(inline.pipeline.steps).toEqual([{ name: 'a', command: ['python3', 'a.py'] }]);
    const elyra = await json(await post('/pipelines/validate', { pipelinePath: 'demo/elyra-example.pipeline' }));
    expect(elyra.order).toEqual(['prepare', 'train-a', 'train-b', 'compare']);
  });

  it('answers 400 invalid_pipeline naming the cycle', async () => {
    const body = await expectError(await post('/pipelines/validate', { pipelinePath: 'cyc/p.yaml' }), 400, 'invalid_pipeline');
    expect(body.error.message).toBe('pipeline has a cycle: a → b → a');
    expect(body.error.details.cycle).toEqual(['a', 'b', 'a']);
  });

  it('refuses bad requests with clear 4xx codes', async () => {
    await expectError(await post('/pipelines/validate', {}), 400, 'invalid_request');
    await expectError(await post('/pipelines/validate', { pipeline: {}, pipelinePath: 'x' }), 400, 'invalid_request');
    await expectError(await post('/pipelines/validate', { pipelinePath: 'demo/train.yaml', extra: 1 }), 400, 'invalid_request');
    await expectError(await post('/pipelines/validate', { pipelinePath: 'nope.yaml' }), 404, 'file_not_found');
    await expectError(await post('/pipelines/validate', { pipelinePath: '../etc/passwd' }), 400, 'path_outside_workspace');
    await expectError(await post('/pipelines/validate', { pipelinePath: 'demo' }), 400, 'not_a_file');
    await expectError(await post('/pipelines/validate', { pipeline: 'apiVersion: 1' }), 400, 'invalid_pipeline');
  });

  it('imports an Elyra file and writes it once as YAML next to it', async () => {
    const res = await post('/pipelines/import-elyra', { path: 'demo/elyra-example.pipeline', write: 'demo/from-elyra.yaml' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.written).toBe('demo/from-elyra.yaml');
    const saved = parse(readFileSync(join(ws.path, 'demo', 'from-elyra.yaml'), 'utf8'));
    expect(saved).toEqual(body.pipeline);
    const again = await json(await post('/pipelines/validate', { pipelinePath: 'demo/from-elyra.yaml' }));
    expect(again.pipeline).toEqual(body.pipeline);
    await expectError(await post('/pipelines/import-elyra', { path: 'demo/elyra-example.pipeline', write: 'demo/from-elyra.yaml' }), 409, 'exists');
    await expectError(await post('/pipelines/import-elyra', { path: 'demo/elyra-example.pipeline', write: 'elsewhere.yaml' }), 400, 'invalid_request');
    await expectError(await post('/pipelines/import-elyra', { path: 'demo/elyra-example.pipeline', write: 'demo/x.txt' }), 400, 'invalid_request');
    await expectError(await post('/pipelines/import-elyra', { pipeline: {}, write: '../x.yaml' }), 400, 'invalid_pipeline');
    await expectError(await post('/pipelines/import-elyra', { path: 'demo/train.yaml' }), 400, 'invalid_pipeline');
  });

  it('imports an inline Elyra document without writing', async () => {
    const doc = JSON.parse(readFileSync(join(examples, 'elyra-example.pipeline'), 'utf8'));
    const body = await json(await post('/pipelines/import-elyra', { pipeline: doc }));
    expect(body.written).toBeUndefined();
    expect(body.pipeline.steps).toHaveLength(4);
  });

  it('reads the typed parameters of a workspace notebook', async () => {
    const res = await get('/notebooks/parameters?path=demo/train.ipynb');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      params: [
        { name: 'lr', value: 0.05, type: 'float', source: '0.05' },
        { name: 'epochs', value: 100, type: 'int', source: '100' },
        { name: 'seed', value: 42, type: 'int', source: '42' },
        { name: 'model_out', value: 'model-a.json', type: 'str', source: "'model-a.json'" }
      ]
    });
  });

  it('answers notebook errors with 4xx codes', async () => {
    await expectError(await get('/notebooks/parameters'), 400, 'invalid_request');
    await expectError(await get('/notebooks/parameters?path=demo/train.yaml'), 400, 'invalid_request');
    await expectError(await get('/notebooks/parameters?path=missing.ipynb'), 404, 'notebook_not_found');
    await expectError(await get('/notebooks/parameters?path=broken.ipynb'), 400, 'invalid_notebook');
    await expectError(await get('/notebooks/parameters?path=old.ipynb'), 400, 'invalid_notebook');
    await expectError(await get('/notebooks/parameters?path=escape/x.ipynb'), 400, 'path_outside_workspace');
    await expectError(await get(`/notebooks/parameters?path=${encodeURIComponent('/etc/x.ipynb')}`), 400, 'path_outside_workspace');
    expect(existsSync(join(ws.path, 'x.yaml'))).toBe(false);
  });
});
