import { sql } from 'kysely';
import { ResourcePool } from '../../src/runs/pool';
import { buildJob } from '../../src/runs/jobs';
import { createOptions } from '../../src/runtime/containerSpec';
import { UsageQueries } from '../../src/resources/usage';
import { Store } from '../../src/store/store';
import { postgresUrl, tempDir } from '../helpers/env';

const sqliteDir = tempDir('usage');
afterAll(() => sqliteDir.cleanup());
const backends = [
  { name: 'sqlite', url: `sqlite:${sqliteDir.path}/conveyor.db` as string | undefined },
  { name: 'postgres', url: postgresUrl() }
];

const at = (iso: string): Date => new Date(iso);
const use = (over: Partial<Parameters<UsageQueries['record']>[0]>) => ({
  owner: 'alice',
  project: 'churn',
  runId: 'r1',
  step: 's',
  attempt: 1,
  profile: 'small',
  preemptible: false,
  pricePerHour: 3.6,
  cpus: 1,
  memoryBytes: 1024,
  gpus: 0,
  startedAt: at('2026-03-01T10:00:00Z'),
  finishedAt: at('2026-03-01T10:00:10Z'),
  ...over
});

describe.each(backends)('metering queries on $name', backend => {
  const run = backend.url ? test : test.skip;
  let store: Store;
  let q: UsageQueries;
  beforeAll(async () => {
    if (!backend.url) return;
    store = await Store.open(backend.url);
    await sql`delete from usage`.execute(store.db);
    await sql`delete from budget_alerts`.execute(store.db);
    q = new UsageQueries(store.db);
  });
  afterAll(async () => {
    if (store) await store.close();
  });

  run('cost is lifetime × price per hour, summed per month by owners and by project, and per day', async () => {
    // 10 s at $3.60/h = $0.01; recording the same attempt twice counts once.
    expect(await q.record(use({}))).toBeCloseTo(0.01, 9);
    await q.record(use({}));
    await q.record(use({ runId: 'r2', startedAt: at('2026-03-02T00:00:00Z'), finishedAt: at('2026-03-02T01:00:00Z') }));
    await q.record(
      use({
        owner: 'bob',
        project: 'other',
        runId: 'r3',
        pricePerHour: 1,
        startedAt: at('2026-03-02T00:00:00Z'),
        finishedAt: at('2026-03-02T00:30:00Z')
      })
    );
    await q.record(use({ runId: 'r4', startedAt: at('2026-04-01T00:00:00Z'), finishedAt: at('2026-04-01T00:01:00Z') }));
    expect(await q.spent('2026-03', { owners: ['alice'] })).toBeCloseTo(3.61, 9);
    expect(await q.spent('2026-03', { owners: ['alice', 'bob'] })).toBeCloseTo(4.11, 9);
    expect(await q.spent('2026-03', { owners: [] })).toBe(0);
    expect(await q.spent('2026-03', { project: 'churn' })).toBeCloseTo(3.61, 9);
    expect(await q.spent('2026-04', { project: 'churn' })).toBeCloseTo(0.06, 9);
    expect(await q.spent('2026-05', { owners: ['alice'] })).toBe(0);
    const days = await q.daily('2026-03-01', '2026-03-31', ['alice']);
    expect(days.map(d => [d.day, d.owner, Math.round(d.cost * 100) / 100, d.seconds])).toEqual([
      ['2026-03-01', 'alice', 0.01, 10],
      ['2026-03-02', 'alice', 3.6, 3600]
    ]);
    expect((await q.daily('2026-03-02', '2026-03-02')).map(d => d.owner)).toEqual(['alice', 'bob']);
  });

  run('an alert is raised once per budget, threshold, month and recipient', async () => {
    const alert = {
      recipient: 'alice',
      scope: 'user' as const,
      name: 'alice',
      period: '2026-03',
      threshold: 0.5,
      spent: 1,
      limit: 2,
      message: 'half',
      createdAt: '2026-03-02T00:00:00.000Z'
    };
    expect(await q.raise(alert)).toBe(true);
    expect(await q.raise({ ...alert, spent: 1.5 })).toBe(false);
    expect(await q.raise({ ...alert, threshold: 0.8, createdAt: '2026-03-02T00:00:01.000Z' })).toBe(true);
    expect(await q.raise({ ...alert, period: '2026-04', createdAt: '2026-04-01T00:00:00.000Z' })).toBe(true);
    expect(await q.raise({ ...alert, recipient: 'bob' })).toBe(true);
    expect((await q.alerts('alice')).map(a => [a.period, a.threshold, a.spent])).toEqual([
      ['2026-04', 0.5, 1],
      ['2026-03', 0.8, 1],
      ['2026-03', 0.5, 1]
    ]);
    expect(await q.alerts(undefined)).toHaveLength(4);
  });
});

describe('GPU allocation', () => {
  const gpus = ['GPU-aaaa', 'GPU-bbbb', 'GPU-cccc'];

  test('steps get distinct explicit device ids, never a count, and a step waits when none are free', () => {
    const pool = new ResourcePool({ cpus: 16, memoryBytes: 64e9, gpus }, 0.5);
    const a = pool.tryReserve({ cpus: 1, gpus: 2 })!;
    const b = pool.tryReserve({ cpus: 1, gpus: 1 })!;
    expect(a.gpuIds).toEqual(['GPU-aaaa', 'GPU-bbbb']);
    expect(b.gpuIds).toEqual(['GPU-cccc']);
    expect(pool.tryReserve({ cpus: 1, gpus: 1 })).toBeNull();
    expect(pool.reserved().gpuIds.sort()).toEqual(gpus);
    pool.release(a);
    expect(pool.tryReserve({ cpus: 1, gpus: 1 })!.gpuIds).toEqual(['GPU-aaaa']);
  });

  test('the executor gets the reserved ids as a Docker device request with DeviceIDs', async () => {
    const pool = new ResourcePool({ cpus: 16, memoryBytes: 64e9, gpus }, 0.5);
    pool.tryReserve({ gpus: 1 });
    const reservation = pool.tryReserve({ cpus: 2, gpus: 1 })!;
    const step = {
      runId: 'r',
      name: 'train',
      attempt: 1,
      spec: { image: 'img', params: {}, files: [], inputs: {}, outputs: [], env: {}, resources: { cpus: 2, gpus: 1 }, network: false }
    };
    const job = await buildJob({} as never, { id: 'r', owner: 'alice' } as never, step as never, [step] as never, reservation);
    expect(job.resources.gpuDeviceIds).toEqual(['GPU-bbbb']);
    const options = createOptions({ image: 'img', cmd: ['true'], owner: 'alice', kind: 'step', gpuDeviceIds: job.resources.gpuDeviceIds });
    expect(options.HostConfig?.DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['GPU-bbbb'], Capabilities: [['gpu']] }]);
    expect(JSON.stringify(options.HostConfig?.DeviceRequests)).not.toContain('Count');
  });
});
