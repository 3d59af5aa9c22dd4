import { Writable } from 'node:stream';
import Docker from 'dockerode';
import pino from 'pino';
import { ArtifactStore } from '../src/artifacts/store';
import type { RunState, StepState } from '../src/runs/model';
import { DockerRuntime } from '../src/runtime/docker';
import { Store } from '../src/store/store';
import { TrackingService } from '../src/tracking/service';
import { createStepTracking } from '../src/tracking/steps';
import { tempDir } from './helpers/env';

/**
 * Without a reachable engine (so no step network and no listener) steps still run and are still
 * tracked: the tracking env is left out, with one warning, not one per step.
 */
const dir = tempDir('steps-nodocker');
let store: Store;
const warnings: string[] = [];
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(chunk, _enc, done) {
      warnings.push(JSON.parse(String(chunk)).msg);
      done();
    }
  })
);

beforeAll(async () => {
  store = await Store.open(`sqlite:${dir.path}/conveyor.db`);
});
afterAll(async () => {
  await store.close();
  dir.cleanup();
});

const run = (id: string): RunState =>
  ({
    id,
    owner: 'alice',
    name: 'offline',
    experiment: 'offline',
    status: 'running',
    pipeline: { apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'offline', steps: [{ name: 'a' }] },
    params: {},
    sweep: null,
    submit: {},
    parentId: null,
    resumedFrom: null,
    cache: false,
    sourcePath: null,
    gitCommit: null,
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null
  }) as unknown as RunState;

const step = (patch: Partial<StepState> = {}): StepState => ({
  runId: 'r',
  name: 'a',
  position: 0,
  status: 'running',
  attempt: 1,
  dependsOn: [],
  spec: {
    image: 'conveyor/base:dev',
    imageDigest: 'sha256:abc',
    command: ['true'],
    params: { lr: 0.1, name: 'x' },
    files: [],
    inputs: {},
    outputs: [],
    env: {},
    resources: {},
    network: false,
    retry: { attempts: 1, backoffSeconds: 0 },
    cache: false
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
  startedAt: new Date(Date.now() - 2000).toISOString(),
  finishedAt: null,
  ...patch
});

test('no engine: steps get no tracking env, one warning, and are still tracked once each', async () => {
  const tracking = new TrackingService(store);
  const steps = createStepTracking({
    logger,
    dataDir: dir.path,
    runtime: new DockerRuntime(new Docker({ socketPath: `${dir.path}/no-docker.sock` })),
    tracking,
    artifacts: new ArtifactStore({ dataDir: dir.path }),
    user: async () => undefined,
    mlflow: (_req, res) => res.end()
  });
  expect(await steps.start()).toBeNull();
  for (const id of ['r1', 'r2']) {
    const first = await steps.hooks.attempt(run(id), step(), { reattach: false });
    expect(first).toEqual({ env: {} });
    // Again, as after a crash: the same tracked run.
    await steps.hooks.attempt(run(id), step(), { reattach: true });
    await steps.hooks.ended(run(id), step({ status: 'succeeded', finishedAt: new Date().toISOString() }));
  }
  expect(warnings.filter(w => /no step network/.test(w))).toHaveLength(1);
  for (const id of ['r1', 'r2']) {
    const runUuid = await tracking.findStepRun(id, 'a');
    expect(runUuid).toMatch(/^[0-9a-f]{32}$/);
    const tracked = await tracking.getRun('alice', runUuid!);
    expect(tracked.info.status).toBe('FINISHED');
    expect(tracked.data.params).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: '0.1' },
        { key: 'name', value: 'x' }
      ])
    );
    const duration = tracked.data.metrics?.find(m => m.key === 'conveyor.duration_seconds');
    expect(duration?.value).toBeGreaterThan(1);
  }
  const rows = await tracking.sql.all<{ conveyor_run_id: string }>('select conveyor_run_id from tracked_runs where conveyor_run_id is not null');
  expect(rows.map(r => r.conveyor_run_id).sort()).toEqual(['r1', 'r2']);
  await steps.close();
});
