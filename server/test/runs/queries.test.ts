import { randomBytes } from 'node:crypto';
import { newRunId } from '../../src/runs/ids';
import type { RunState, StepState } from '../../src/runs/model';
import { RunQueries } from '../../src/runs/queries';
import { Store } from '../../src/store/store';
import { postgresUrl, tempDir } from '../helpers/env';

const dir = tempDir('runs-store');
const backends = [
  { name: 'sqlite', url: `sqlite:${dir.path}/conveyor.db` as string | undefined },
  { name: 'postgres', url: postgresUrl() }
];
afterAll(() => dir.cleanup());

function run(owner: string, name: string, at: number, extra: Partial<RunState> = {}): RunState {
  return {
    id: newRunId(at),
    owner,
    name,
    experiment: name,
    status: 'queued',
    pipeline: { apiVersion: 'conveyor/v1', kind: 'Pipeline', name, steps: [{ name: 'a', command: ['true'] }] },
    params: { lr: 0.1, tags: ['x'] },
    sweep: null,
    submit: { pipeline: {} },
    parentId: null,
    resumedFrom: null,
    cache: true,
    sourcePath: 'p.yaml',
    gitCommit: null,
    error: null,
    createdAt: new Date(at).toISOString(),
    startedAt: null,
    finishedAt: null,
    ...extra
  };
}

function step(runId: string, name: string, position: number): StepState {
  return {
    runId,
    name,
    position,
    status: 'pending',
    attempt: 0,
    dependsOn: position ? ['a'] : [],
    spec: {
      image: 'img',
      imageDigest: 'sha256:x',
      command: ['true'],
      params: {},
      files: [],
      inputs: {},
      outputs: [],
      env: {},
      resources: { cpus: 1 },
      network: false,
      retry: { attempts: 1, backoffSeconds: 2 },
      cache: true
    },
    containerId: null,
    exitCode: null,
    oomKilled: false,
    error: null,
    cacheKey: null,
    cachedFrom: null,
    imageDigest: null,
    notebookHash: null,
    executedNotebook: null,
    outputs: [],
    queuedAt: null,
    startedAt: null,
    finishedAt: null
  };
}

describe.each(backends)('run queries on $name', backend => {
  const maybe = backend.url ? test : test.skip;
  let store: Store;
  let q: RunQueries;
  const owner = `u${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    if (!backend.url) return;
    store = await Store.open(backend.url);
    q = new RunQueries(store.db);
  });
  afterAll(async () => store?.close());

  maybe('stores runs with their steps and reads them back, newest first, page by page', async () => {
    const t = Date.now();
    const runs = [run(owner, 'alpha', t), run(owner, 'beta', t + 1), run(owner, 'gamma', t + 2), run(`${owner}x`, 'alpha', t + 3)];
    for (const r of runs) await q.insert(r, [step(r.id, 'a', 0), step(r.id, 'b', 1)]);
    const got = await q.get(runs[0].id);
    expect(got).toEqual(runs[0]);
    expect((await q.steps(runs[0].id)).map(s => [s.name, s.dependsOn, s.spec.resources])).toEqual([
      ['a', [], { cpus: 1 }],
      ['b', ['a'], { cpus: 1 }]
    ]);
    const page1 = await q.list({ owner, limit: 2 });
    expect(page1.map(r => r.name)).toEqual(['gamma', 'beta']);
    const page2 = await q.list({ owner, limit: 2, cursor: page1[1].id });
    expect(page2.map(r => r.name)).toEqual(['alpha']);
    expect((await q.list({ owner, limit: 10, q: 'ET' })).map(r => r.name)).toEqual(['beta']);
    expect((await q.list({ owner, limit: 10, q: '%' })).map(r => r.name)).toEqual([]);
  });

  maybe('updates steps and finds a cached execution of the same owner only', async () => {
    const t = Date.now() + 100;
    const mine = run(owner, 'cache', t);
    const theirs = run(`${owner}y`, 'cache', t + 1);
    const key = randomBytes(32).toString('hex');
    for (const r of [mine, theirs]) await q.insert(r, [step(r.id, 'a', 0)]);
    await q.updateStep(theirs.id, 'a', { status: 'succeeded', cacheKey: key, finishedAt: new Date().toISOString() });
    expect(await q.findCached(owner, key, 'none')).toBeUndefined();
    const outputs = [{ name: 'o', hash: 'f'.repeat(64), size: 3 }];
    await q.updateStep(mine.id, 'a', { status: 'succeeded', cacheKey: key, outputs, oomKilled: true, exitCode: 0, finishedAt: new Date().toISOString() });
    const hit = await q.findCached(owner, key, 'none');
    expect(hit).toEqual(expect.objectContaining({ runId: mine.id, outputs, oomKilled: true, exitCode: 0 }));
    expect(await q.findCached(owner, key, mine.id)).toBeUndefined();
    await q.updateRun(mine.id, { status: 'running', startedAt: new Date(t).toISOString() });
    expect((await q.active()).map(r => r.id)).toContain(mine.id);
  });
});
