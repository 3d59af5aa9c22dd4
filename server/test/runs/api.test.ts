import WebSocket from 'ws';
import { expectError } from '../helpers/expectError';
import { json, SECRET } from '../helpers/server';
import { notebook, pipeline, runsEnv, type RunsEnv } from './helpers';

let env: RunsEnv;
beforeAll(async () => {
  env = await runsEnv();
  env.write('ok.ipynb', notebook(['print(1)']));
});
afterAll(() => env.close());

const one = (step: Record<string, unknown>) => ({ pipeline: pipeline('bad', [{ name: 'a', command: ['true'], ...step }]) });

describe('bad submissions answer clear 4xx errors', () => {
  test('a cycle names its steps', async () => {
    const body = await expectError(
      await env.post('/runs', {
        pipeline: pipeline('cyc', [
          { name: 'a', command: ['true'], dependsOn: ['c'] },
          { name: 'b', command: ['true'], dependsOn: ['a'] },
          { name: 'c', command: ['true'], dependsOn: ['b'] }
        ])
      }),
      400,
      'invalid_pipeline'
    );
    expect(body.error.details.cycle).toEqual(expect.arrayContaining(['a', 'b', 'c']));
  });

  test('a missing notebook, file or pipeline file is 404', async () => {
    const nb = await expectError(await env.post('/runs', { notebook: { path: 'nope/missing.ipynb' } }), 404, 'notebook_not_found');
    expect(nb.error.details.path).toBe('nope/missing.ipynb');
    await expectError(await env.post('/runs', one({ files: ['data/absent.csv'] })), 404, 'file_not_found');
    await expectError(await env.post('/runs', { pipelinePath: 'absent.yaml' }), 404, 'file_not_found');
  });

  test('an image the engine does not have is 400 unknown_image', async () => {
    const body = await expectError(await env.post('/runs', one({ image: 'conveyor/does-not-exist:nope' })), 400, 'unknown_image');
    expect(body.error.details).toEqual({ step: 'a', image: 'conveyor/does-not-exist:nope' });
  });

  test('params that are not an object of identifiers to JSON values are 400 invalid_params', async () => {
    await expectError(await env.post('/runs', { notebook: { path: 'ok.ipynb' }, params: 'lr=1' }), 400, 'invalid_params');
    await expectError(await env.post('/runs', { notebook: { path: 'ok.ipynb' }, params: { 'bad-name': 1 } }), 400, 'invalid_params');
    await expectError(await env.post('/runs', { notebook: { path: 'ok.ipynb', params: [1, 2] } }), 400, 'invalid_params');
  });

  test('a step asking for more than the machine has is 422 exceeds_capacity', async () => {
    const cpus = await expectError(await env.post('/runs', one({ resources: { cpus: 1000 } })), 422, 'exceeds_capacity');
    expect(cpus.error.details).toEqual(expect.objectContaining({ step: 'a', resource: 'cpus', requested: 1000 }));
    const mem = await expectError(await env.post('/runs', one({ resources: { memory: '64Ti' } })), 422, 'exceeds_capacity');
    expect(mem.error.details.resource).toBe('memory bytes');
    await expectError(await env.post('/runs', one({ resources: { profile: 'gpu' } })), 422, 'exceeds_capacity');
    await expectError(await env.post('/runs', one({ resources: { profile: 'huge' } })), 400, 'unknown_profile');
  });

  test('paths leaving the workspace are 400 path_outside_workspace', async () => {
    await expectError(await env.post('/runs', { notebook: { path: '../etc/passwd.ipynb' } }), 400, 'path_outside_workspace');
    await expectError(await env.post('/runs', { notebook: { path: '/etc/x.ipynb' } }), 400, 'path_outside_workspace');
    await expectError(await env.post('/runs', { pipelinePath: '../../p.yaml' }), 400, 'path_outside_workspace');
    await expectError(await env.post('/runs', one({ files: ['../secret'] })), 400, 'path_outside_workspace');
  });

  test('exactly one of pipeline, pipelinePath or notebook', async () => {
    await expectError(await env.post('/runs', {}), 400, 'invalid_request');
    await expectError(await env.post('/runs', { notebook: { path: 'ok.ipynb' }, pipelinePath: 'x.yaml' }), 400, 'invalid_request');
    await expectError(await env.post('/runs', { notebook: { path: 'ok.ipynb' }, bogus: 1 }), 400, 'invalid_request');
  });

  test('bad list and log queries are 400, unknown runs 404', async () => {
    await expectError(await env.get('/runs?limit=0'), 400, 'invalid_request');
    await expectError(await env.get('/runs/r-nope'), 404, 'run_not_found');
    await expectError(await env.get('/runs/diff?a=x&b=y'), 400, 'invalid_request');
  });
});

describe('ownership', () => {
  test("another user's run is 404 everywhere and its events go to its owner only", async () => {
    const events: Record<string, any[]> = { alice: [], bob: [] };
    const sockets = await Promise.all(
      ['alice', 'bob'].map(
        user =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${env.t.port}/conveyor/api/v1/ws`, {
              headers: { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': user }
            });
            ws.on('message', data => events[user].push(JSON.parse(String(data))));
            ws.once('open', () => resolve(ws));
            ws.once('error', reject);
          })
      )
    );
    try {
      const run = await env.submit({ pipeline: pipeline('mine', [{ name: 's', command: ['sh', '-c', 'echo owned-line'] }]), cache: false }, 'alice');
      expect(run.owner).toBe('alice');
      const done = await env.wait(run.id, undefined, 60_000, 'alice');
      expect(done.status).toBe('succeeded');
      await expectError(await env.get(`/runs/${run.id}`, 'bob'), 404, 'run_not_found');
      await expectError(await env.post(`/runs/${run.id}/cancel`, {}, 'bob'), 404, 'run_not_found');
      await expectError(await env.post(`/runs/${run.id}/resume`, {}, 'bob'), 404, 'run_not_found');
      await expectError(await env.get(`/runs/${run.id}/steps/s/logs`, 'bob'), 404, 'run_not_found');
      expect((await json(await env.get('/runs', 'bob'))).runs).toEqual([]);
      expect((await json(await env.get('/runs', 'alice'))).runs.map((r: any) => r.id)).toContain(run.id);

      const runEvents = (user: string) => events[user].filter(e => e.type === 'run' && e.runId === run.id);
      expect(runEvents('alice').map(e => e.status)).toContain('succeeded');
      expect(runEvents('alice').some(e => e.step === 's' && e.stepStatus === 'running')).toBe(true);
      expect(runEvents('bob')).toEqual([]);

      // Log subscriptions replay from `from`, for the owner only.
      for (const [user, ws] of [['bob', sockets[1]], ['alice', sockets[0]]] as const) {
        ws.send(JSON.stringify({ type: 'subscribe-logs', runId: run.id, step: 's', from: 0 }));
        void user;
      }
      const deadline = Date.now() + 5000;
      while (!events.alice.some(e => e.type === 'log') && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
      const log = events.alice.find(e => e.type === 'log');
      expect(log).toEqual(expect.objectContaining({ runId: run.id, step: 's', attempt: 1, from: 0 }));
      expect(log.lines).toContain('owned-line');
      expect(events.bob.filter(e => e.type === 'log')).toEqual([]);
    } finally {
      for (const ws of sockets) ws.close();
    }
  }, 90_000);
});

describe('images and profiles', () => {
  test('lists local tagged images and the built-in profiles', async () => {
    const images = await json(await env.get('/images'));
    const image = process.env.CONVEYOR_TEST_IMAGE || 'conveyor/base:dev';
    const found = images.find((i: any) => i.tags.includes(image));
    expect(found).toEqual(expect.objectContaining({ id: expect.stringMatching(/^sha256:/), sizeBytes: expect.any(Number) }));
    expect(images.every((i: any) => i.tags.length > 0)).toBe(true);
    const profiles = await json(await env.get('/profiles'));
    expect(profiles.map((p: any) => [p.name, p.cpus, p.memory, p.gpus])).toEqual([
      ['small', 1, '2Gi', 0],
      ['medium', 2, '4Gi', 0],
      ['large', 4, '16Gi', 0],
      ['gpu', 4, '16Gi', 1]
    ]);
  });
});
