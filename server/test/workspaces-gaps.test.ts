import Docker from 'dockerode';
import { resourceConfig } from '../src/resources/config';
import type { ConveyorServer } from '../src/server';
import { linkHolders } from '../src/workspaces/shared';
import { Store } from '../src/store/store';
import { expectError } from './helpers/expectError';
import { postgresUrl, tempDir, TEST_IMAGE } from './helpers/env';
import { json } from './helpers/server';
import { apiFetch, bootServer, cleanDocker, insertRedeemedLink, listenEvents, shutdown, until, WORKSPACE_IMAGE } from './helpers/workspaces';

/**
 * Workspaces like runs, for the last gaps (real Docker, conveyor/workspace:dev, one container):
 * a profile larger than the machine is refused at create and start (422 exceeds_capacity, nothing
 * written), a running workspace is listed in `GET /resources` `running` (its owner and admins
 * only), and link holders hear its status changes as `workspace` events until the link is revoked.
 */
jest.setTimeout(120_000);

const IMAGE = WORKSPACE_IMAGE;
const OWNER = `gaps-owner-${process.pid}`;
const GUEST = `gaps-guest-${process.pid}`;
const OTHER = `gaps-other-${process.pid}`;
const ADMIN = `gaps-admin-${process.pid}`;
const docker = new Docker();
const dir = tempDir('wsgaps');

let store: Store;
let server: ConveyorServer;
let base = '';
let machine = { cpus: 0, memoryBytes: 0 };

const api = (path: string, user: string, method = 'GET', body?: unknown) =>
  apiFetch(base, path, user, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const create = (name: string, profile: string) => api('/workspaces', OWNER, 'POST', { name, image: IMAGE, profile });
const names = async (user: string) => (await json(await api('/workspaces', user))).workspaces.map((w: any) => w.name);
const workspacesRunning = async (user: string, query = '') =>
  (await json(await api(`/resources${query}`, user))).running.filter((r: any) => r.kind === 'workspace');

/** The websocket events a user receives. */
const listen = (user: string) => listenEvents(base, user);

beforeAll(async () => {
  await cleanDocker(OWNER);
  const info = await docker.info();
  machine = { cpus: info.NCPU, memoryBytes: info.MemTotal };
  ({ store, server, base } = await bootServer({
    dataDir: dir.path,
    databaseUrl: `sqlite:${dir.path}/conveyor.db`,
    config: { workspaceDir: dir.path, defaultImage: TEST_IMAGE },
    // Embedded users are made admins on first sight: these three are created as plain users first.
    prepare: async store => {
      for (const [name, admin] of [
        [OWNER, false],
        [GUEST, false],
        [OTHER, false],
        [ADMIN, true]
      ] as const) {
        await store.users.create(name, admin);
      }
    },
    resources: resourceConfig({
      profiles: [
        { name: 'lab', cpus: 1, memory: '1Gi', pricePerHour: 1 },
        { name: 'wide', cpus: machine.cpus + 1, memory: '1Gi', pricePerHour: 1 },
        { name: 'deep', cpus: 1, memory: `${machine.memoryBytes + 1024 ** 3}`, pricePerHour: 1 }
      ]
    })
  }));
});

afterAll(async () => {
  if (server) await shutdown({ server, store });
  await cleanDocker(OWNER);
  dir.cleanup();
});

test('a profile larger than the machine is refused at create and at start with 422 exceeds_capacity, nothing written or started', async () => {
  const wide = await expectError(await create('too-wide', 'wide'), 422, 'exceeds_capacity');
  expect(wide.error.message).toBe(`Workspace "too-wide" with profile wide asks for ${machine.cpus + 1} cpus but the machine has ${machine.cpus}`);
  expect(wide.error.details).toMatchObject({ workspace: 'too-wide', profile: 'wide', resource: 'cpus', requested: machine.cpus + 1, available: machine.cpus });
  const deep = await expectError(await create('too-deep', 'deep'), 422, 'exceeds_capacity');
  expect(deep.error.details).toMatchObject({ resource: 'memory bytes', available: machine.memoryBytes });
  expect(await names(OWNER)).toEqual([]);

  // A stopped workspace whose profile no longer fits (the admin changed the profile): its start is refused, it stays stopped.
  const id = 'ab12cd34ef56';
  await store.db
    .insertInto('workspaces')
    .values({
      id,
      owner: OWNER,
      name: 'shrunk',
      image: IMAGE,
      image_digest: null,
      profile: 'wide',
      status: 'stopped',
      container_id: null,
      volume: `conveyor-home-${OWNER}`,
      network: `conveyor-ws-${id}`,
      token_hash: null,
      idle_seconds: 3600,
      run_seconds: 0,
      created_at: new Date().toISOString(),
      started_at: null,
      stopped_at: null,
      last_activity_at: null,
      error: null
    })
    .execute();
  await expectError(await api(`/workspaces/${id}/start`, OWNER, 'POST'), 422, 'exceeds_capacity');
  expect(await json(await api(`/workspaces/${id}`, OWNER))).toMatchObject({ status: 'stopped', startedAt: null, error: null });
  expect(await docker.listContainers({ all: true, filters: { label: [`io.conveyor.workspace=${id}`] } })).toEqual([]);
  expect(await workspacesRunning(OWNER)).toEqual([]);
  expect((await api(`/workspaces/${id}`, OWNER, 'DELETE')).status).toBe(204);
});

test('a running workspace is in GET /resources running for its owner and admins; link holders hear its status until the link is revoked', async () => {
  const guest = await listen(GUEST);
  const other = await listen(OTHER);
  const owner = await listen(OWNER);
  let id = '';
  try {
    const created = await create('shared-lab', 'lab');
    expect(created.status).toBe(201);
    const ws = await json(created);
    id = ws.id;

    const entry = {
      kind: 'workspace',
      workspace: { id, name: 'shared-lab' },
      runId: `workspace:${id}`,
      step: 'workspace',
      owner: OWNER,
      project: '',
      profile: 'lab',
      cpus: 1,
      memoryBytes: 1024 ** 3,
      gpuIds: [],
      preemptible: false,
      startedAt: ws.startedAt,
      pricePerHour: 1
    };
    expect(await workspacesRunning(OWNER)).toEqual([entry]);
    expect(await workspacesRunning(OTHER)).toEqual([]);
    expect(await workspacesRunning(ADMIN)).toEqual([entry]);
    expect(await workspacesRunning(ADMIN, `?user=${OWNER}`)).toEqual([entry]);
    expect(await workspacesRunning(ADMIN, `?user=${OTHER}`)).toEqual([]);

    // A view link, redeemed by the guest: the owner's stop reaches the guest's socket too, not the other user's.
    const link = await json(await api('/shares', OWNER, 'POST', { kind: 'workspace', target: { id }, expiresInSeconds: 600 }));
    expect((await api('/shares/redeem', GUEST, 'POST', { code: link.code })).status).toBe(200);
    expect((await api(`/workspaces/${id}/stop`, OWNER, 'POST')).status).toBe(200);
    const statuses = (events: any[]) => events.filter(e => e.type === 'workspace' && e.id === id).map(e => e.status);
    await until(async () => (statuses(guest.events).includes('stopped') ? true : undefined), 'the guest to hear the stop', { every: 100 });
    const heard = statuses(guest.events);
    expect(heard.slice(-2)).toEqual(['stopping', 'stopped']);
    expect(heard).not.toContain('starting');
    expect(guest.events.find(e => e.type === 'workspace')).toMatchObject({ name: 'shared-lab' });
    expect(await workspacesRunning(OWNER)).toEqual([]);

    // Revoked: the next start and stop reach the owner only.
    expect((await api(`/shares/${link.id}`, OWNER, 'DELETE')).status).toBeLessThan(300);
    expect((await api(`/workspaces/${id}/start`, OWNER, 'POST')).status).toBe(200);
    expect((await api(`/workspaces/${id}/stop`, OWNER, 'POST')).status).toBe(200);
    await until(async () => (statuses(owner.events).filter(s => s === 'stopped').length === 2 ? true : undefined), 'the owner to hear the second stop', { every: 100 });
    const second = statuses(owner.events).slice(statuses(owner.events).indexOf('stopped') + 1);
    expect([second[0], second[second.length - 1]]).toEqual(['starting', 'stopped']);
    expect(statuses(guest.events)).toEqual(heard);
    expect(statuses(other.events)).toEqual([]);
  } finally {
    guest.close();
    other.close();
    owner.close();
    if (id) expect((await api(`/workspaces/${id}?volume=true`, OWNER, 'DELETE')).status).toBe(204);
  }
});

// Who hears a workspace's events besides its owner, on each store (Postgres when CONVEYOR_TEST_PG_URL
// is set), on rows written directly: no server, no container.
const pg = postgresUrl();
describe.each([{ name: 'sqlite', url: () => `sqlite:${dir.path}/holders.db` }, ...(pg ? [{ name: 'postgres', url: () => pg }] : [])])(
  'linkHolders() on $name',
  backend => {
    test('the users of live links to that workspace, once each; not expired, revoked or other links', async () => {
      const db = await Store.open(backend.url());
      const wid = Math.random().toString(16).slice(2, 14).padEnd(12, '0');
      const other = `${wid.slice(0, 11)}${wid[11] === 'f' ? 'e' : 'f'}`;
      const now = new Date();
      const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
      const links = [
        { target: wid, who: ['ann', 'ben'], expires: at(3600), revoked: null },
        { target: wid, who: ['ann'], expires: at(3600), revoked: null },
        { target: wid, who: ['cid'], expires: at(-1), revoked: null },
        { target: wid, who: ['dan'], expires: at(3600), revoked: at(-1) },
        { target: other, who: ['eve'], expires: at(3600), revoked: null }
      ];
      try {
        for (const [i, l] of links.entries()) {
          await insertRedeemedLink(db, {
            id: `${wid.slice(0, 10)}${i}${i}`,
            owner: OWNER,
            workspace: l.target,
            scope: 'view',
            secretHash: `${wid}-${i}`,
            expiresAt: l.expires,
            revokedAt: l.revoked,
            createdAt: at(0),
            holders: l.who
          });
        }
        expect((await linkHolders(db.db, wid, now)).sort()).toEqual(['ann', 'ben']);
        expect(await linkHolders(db.db, other, now)).toEqual(['eve']);
        expect(await linkHolders(db.db, wid, new Date(now.getTime() + 7200_000))).toEqual([]);
      } finally {
        await db.db.deleteFrom('share_grants').where('link_id', 'like', `${wid.slice(0, 10)}%`).execute();
        await db.db.deleteFrom('share_links').where('id', 'like', `${wid.slice(0, 10)}%`).execute();
        await db.close();
      }
    });
  }
);
