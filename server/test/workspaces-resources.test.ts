import Docker from 'dockerode';
import type { Kysely } from 'kysely';
import { resourceConfig } from '../src/resources/config';
import type { ConveyorServer } from '../src/server';
import { Store } from '../src/store/store';
import { expectError } from './helpers/expectError';
import { postgresUrl, tempDir, TEST_IMAGE } from './helpers/env';
import { backends } from './models-helpers';
import { cmdPipeline } from './resources/helpers';
import { json } from './helpers/server';
import { apiFetch, bootServer, cleanDocker as cleanOwners, listenEvents, shutdown as stop, until, waitStatus, WORKSPACE_IMAGE } from './helpers/workspaces';

/**
 * Workspaces count against quotas and budgets like runs (real containers, conveyor/workspace:dev):
 * refused starts (422/409/403) write nothing, a running workspace holds its profile in the quota
 * until it stops, its lifetime is metered once into `usage` (also after a kill -9), a used-up budget
 * stops it with the volume kept, and the owner hears every status change as a `workspace` event.
 */
jest.setTimeout(150_000);

const IMAGE = WORKSPACE_IMAGE;
const ALICE = `alice-res-${process.pid}`;
const CAROL = `carol-res-${process.pid}`;
const BOB = `bob-res-${process.pid}`;
const DAVE = `dave-res-${process.pid}`;
const docker = new Docker();
const [sqlite, postgres] = backends('wsres');
const dataDir = tempDir('wsres');
let databaseUrl = '';

const config = {
  // `lab` costs $1 per second, so a budget of $3 is used up by a workspace in about 3 seconds.
  profiles: [
    { name: 'lab', cpus: 1, memory: '1Gi', pricePerHour: 3600 },
    { name: 'big', cpus: 4, memory: '1Gi', pricePerHour: 1 },
    { name: 'run', cpus: 1, memory: '64Mi', pricePerHour: 0 }
  ],
  quotas: { users: { [ALICE]: { cpus: 1.5 } } },
  budgets: { users: { [CAROL]: 3 } },
  stopRunningAtBudget: true
};

let store: Store;
let server: ConveyorServer;
let base = '';

async function boot(): Promise<void> {
  ({ store, server, base } = await bootServer({
    dataDir: dataDir.path,
    databaseUrl,
    config: { workspaceDir: dataDir.path, defaultImage: TEST_IMAGE },
    resources: resourceConfig(config)
  }));
}

/** Goes away without stopping anything (as after kill -9: containers keep running). */
const shutdown = () => stop({ server, store });

const api = (path: string, user: string, init: RequestInit = {}) => apiFetch(base, path, user, init);
const create = (user: string, name: string, profile = 'lab') =>
  api('/workspaces', user, {
    method: 'POST',
    body: JSON.stringify({ name, image: IMAGE, profile })
  });
const names = async (user: string) => (await json(await api('/workspaces', user))).workspaces.map((w: any) => w.name);
const quotaUsed = async (user: string) => (await json(await api('/resources', user))).quotas.find((q: any) => q.name === user)?.used.cpus;
// The usage table is the resources module's (resources/usage.ts); read here as the outcome.
const usageRows = (id: string) => (store.db as unknown as Kysely<any>).selectFrom('usage').selectAll().where('run_id', '=', `workspace:${id}`).execute();

/** Collects the websocket events a user receives. */
const listen = (user: string) => listenEvents(base, user);

const cleanDocker = () => cleanOwners(ALICE, CAROL);

beforeAll(async () => {
  await cleanDocker();
});
afterAll(async () => {
  await cleanDocker();
  await sqlite.cleanup();
  await postgres.cleanup();
  dataDir.cleanup();
});

/** kill -9 twice: the quota is taken again for the reattached workspace; the vanished one is metered once. */
async function recovers(): Promise<void> {
  const created = await json(await create(ALICE, 'keep'));
  expect(created.status).toBe('starting');

  await shutdown();
  await boot();
  expect(await quotaUsed(ALICE)).toBe(1);
  await expectError(await create(ALICE, 'two'), 409, 'quota_busy');

  // Down again; the container vanishes meanwhile: recovery settles the row and meters the start once.
  await shutdown();
  for (const c of await docker.listContainers({
    all: true,
    filters: { label: [`io.conveyor.workspace=${created.id}`] }
  })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  await boot();
  expect((await json(await api(`/workspaces/${created.id}`, ALICE))).status).toBe('stopped');
  expect(await quotaUsed(ALICE)).toBe(0);
  // As if the server died after metering but before the row said stopped: the next recovery meters nothing more.
  await shutdown();
  const db = await Store.open(databaseUrl);
  await db.db.updateTable('workspaces').set({ status: 'stopping', container_id: 'gone' }).where('id', '=', created.id).execute();
  await db.close();
  await boot();
  expect((await json(await api(`/workspaces/${created.id}`, ALICE))).status).toBe('stopped');
  const rows = await usageRows(created.id);
  expect(rows.map(r => [r.started_at, r.step, r.owner])).toEqual([[created.startedAt, 'workspace', ALICE]]);
  expect(Number(rows[0].cost)).toBeGreaterThan(0);
  expect((await api(`/workspaces/${created.id}`, ALICE, { method: 'DELETE' })).status).toBe(204);
}

describe('on SQLite', () => {
  beforeAll(async () => {
    databaseUrl = (await sqlite.url())!;
    await boot();
  });
  afterAll(() => shutdown());

  test('quotas: too big is 422, a quota held by a running workspace is 409 naming it (runs wait on it and on its CPUs), nothing half-made; stopping meters it and frees both', async () => {
    const events = await listen(ALICE);
    try {
      const big = await expectError(await create(ALICE, 'huge', 'big'), 422, 'exceeds_quota');
      expect(big.error.message).toBe(`Workspace "huge" with profile big asks for 4 cpus but the quota of ${ALICE} allows 1.5 at once`);

      const first = await create(ALICE, 'one');
      expect(first.status).toBe(201);
      const one = await json(first);
      expect(one).toMatchObject({
        status: 'starting',
        access: 'owner',
        owner: ALICE
      });
      expect(await quotaUsed(ALICE)).toBe(1);

      const busy = await expectError(await create(ALICE, 'two'), 409, 'quota_busy');
      expect(busy.error.message).toBe(
        `Workspace "two" cannot start now: the quota of ${ALICE} (1.5 CPUs) is in use by workspace "one" of ${ALICE}. Stop some of it and start again (workspaces do not queue).`
      );
      expect(await names(ALICE)).toEqual(['one']);

      // The owner's run waits on the quota the workspace holds, and runs once it stops.
      const step = { name: 'work', command: ['true'], resources: { profile: 'run' } };
      const submitted = await api('/runs', ALICE, { method: 'POST', body: JSON.stringify({ pipeline: cmdPipeline('after', [step]), cache: false }) });
      expect(submitted.status).toBe(201);
      const run = await json(submitted);
      const queue = await until(async () => {
        const q = (await json(await api('/resources', ALICE))).queue;
        return q.length ? q : undefined;
      }, 'the queued step');
      expect(queue).toEqual([expect.objectContaining({ runId: run.id, reason: 'quota', message: `Waiting until the quota of ${ALICE} (1.5 CPUs) is in use` })]);
      // The workspace's CPU is not the scheduler's to hand out: a step that needs all but half a CPU of the machine waits.
      const cpus = (await docker.info()).NCPU - 0.5;
      const wide = { name: 'wide', command: ['true'], resources: { cpus } };
      const other = await json(await api('/runs', BOB, { method: 'POST', body: JSON.stringify({ pipeline: cmdPipeline('wide', [wide]), cache: false }) }));
      const waiting = await until(async () => {
        const q = (await json(await api('/resources', BOB))).queue.filter((e: any) => e.runId === other.id);
        return q.length ? q : undefined;
      }, 'the step waiting for capacity');
      expect(waiting).toEqual([expect.objectContaining({ reason: 'capacity', message: 'Waiting for CPUs, memory or GPUs held by running work' })]);

      await waitStatus(base, one.id, ALICE, 'running');
      const stopped = await json(await api(`/workspaces/${one.id}/stop`, ALICE, { method: 'POST' }));
      expect(stopped.status).toBe('stopped');
      const done = await until(async () => {
        const r = await json(await api(`/runs/${run.id}`, ALICE));
        return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      }, 'the run');
      expect(done.status).toBe('succeeded');
      const wideDone = await until(async () => {
        const r = await json(await api(`/runs/${other.id}`, BOB));
        return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      }, 'the wide run');
      expect(wideDone.status).toBe('succeeded');
      expect(await quotaUsed(ALICE)).toBe(0);
      const rows = await usageRows(one.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        owner: ALICE,
        step: 'workspace',
        profile: 'lab',
        cpus: 1,
        started_at: one.startedAt
      });
      expect(rows[0].cost).toBeGreaterThan(0);
      // The usage chart and "spent this month" include it.
      expect((await json(await api('/usage', ALICE))).total).toBeCloseTo(rows[0].cost, 5);
      expect((await json(await api('/resources', ALICE))).usage.spent).toBeCloseTo(rows[0].cost, 5);

      // The owner heard each status change.
      await until(async () => (events.events.some(e => e.type === 'workspace' && e.status === 'stopped') ? true : undefined), 'the stopped event');
      expect(events.events.filter(e => e.type === 'workspace').map(e => [e.id, e.name, e.status])).toEqual([
        [one.id, 'one', 'starting'],
        [one.id, 'one', 'running'],
        [one.id, 'one', 'stopping'],
        [one.id, 'one', 'stopped']
      ]);
    } finally {
      events.close();
    }
  });

  test('GET /workspaces lists the workspaces shared with the caller through live redeemed links, with their access', async () => {
    const [one] = (await json(await api('/workspaces', ALICE))).workspaces;
    const link = async (scope: string) =>
      json(
        await api('/shares', ALICE, {
          method: 'POST',
          body: JSON.stringify({
            kind: 'workspace',
            target: { id: one.id },
            scope,
            expiresInSeconds: 3600
          })
        })
      );
    const redeem = async (user: string, code: string) =>
      expect(
        (
          await api('/shares/redeem', user, {
            method: 'POST',
            body: JSON.stringify({ code })
          })
        ).status
      ).toBe(200);
    const listed = async (user: string) => (await json(await api('/workspaces', user))).workspaces.map((w: any) => [w.name, w.owner, w.access]);
    const view = await link('view');
    const collaborate = await link('collaborate');
    await redeem(BOB, view.code);
    await redeem(DAVE, view.code);
    expect(await listed(BOB)).toEqual([['one', ALICE, 'view']]);
    expect(await listed(ALICE)).toEqual([['one', ALICE, 'owner']]);
    expect(await listed(CAROL)).toEqual([]);
    // The best scope of several links; a revoked or expired link shows nothing any more.
    await redeem(BOB, collaborate.code);
    expect(await listed(BOB)).toEqual([['one', ALICE, 'collaborate']]);
    expect((await api(`/shares/${collaborate.id}`, ALICE, { method: 'DELETE' })).status).toBe(200);
    expect(await listed(BOB)).toEqual([['one', ALICE, 'view']]);
    await store.db
      .updateTable('share_links')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', view.id)
      .execute();
    expect(await listed(BOB)).toEqual([]);
    expect(await listed(DAVE)).toEqual([]);
  });

  test('after a kill -9 the quota is taken again for a reattached workspace, and a vanished one is metered exactly once', recovers);

  test('a used-up budget refuses starts (403, same body as runs) and stops a running workspace, keeping its volume', async () => {
    const events = await listen(CAROL);
    try {
      const created = await json(await create(CAROL, 'pricey'));
      expect(created.status).toBe('starting');
      const stopped = await until(async () => {
        const w = await json(await api(`/workspaces/${created.id}`, CAROL));
        return w.status === 'stopped' ? w : undefined;
      }, 'the budget stop');
      expect(stopped.error).toMatch(/^Stopped: the user budget of carol-res-\d+ for \d{4}-\d{2} is used up \(\$\d+\.\d\d of \$3\.00\)$/);
      expect(events.events.filter(e => e.type === 'workspace' && e.status === 'stopped')).toEqual([
        {
          type: 'workspace',
          id: created.id,
          name: 'pricey',
          status: 'stopped',
          reason: 'budget',
          message: stopped.error
        }
      ]);
      expect((await docker.getVolume(`conveyor-home-${CAROL}`).inspect()).Name).toBe(`conveyor-home-${CAROL}`);
      expect(
        await docker.listContainers({
          all: true,
          filters: { label: [`io.conveyor.workspace=${created.id}`] }
        })
      ).toEqual([]);

      const refused = await expectError(await create(CAROL, 'again'), 403, 'budget_exceeded');
      expect(refused.error.details).toMatchObject({
        scope: 'user',
        name: CAROL,
        limit: 3
      });
      await expectError(await api(`/workspaces/${created.id}/start`, CAROL, { method: 'POST' }), 403, 'budget_exceeded');
      expect(await names(CAROL)).toEqual(['pricey']);
      expect((await json(await api('/alerts', CAROL))).alerts.map((a: any) => a.threshold)).toEqual([1, 0.8, 0.5]);
    } finally {
      events.close();
    }
  });
});

// Postgres too when CONVEYOR_TEST_PG_URL is set (scripts/test.sh and CI set it): the metering and recovery part.
if (postgresUrl())
  describe('recovery on Postgres', () => {
    beforeAll(async () => {
      const url = await postgres.url();
      if (!url) throw new Error('no Postgres');
      databaseUrl = url;
      await boot();
    });
    afterAll(() => shutdown());

    test('after a kill -9 the quota is taken again for a reattached workspace, and a vanished one is metered exactly once', recovers);
  });
