import Docker from 'dockerode';
import { createLogger } from '../src/core/logger';
import type { ConveyorServer } from '../src/server';
import type { Store } from '../src/store/store';
import { postgresUrl, tempDir } from './helpers/env';
import { json } from './helpers/server';
import { apiFetch, bootServer, cleanDocker, openSocket, proxyFetch, shutdown as stop, until, waitStatus, workspaceOf, WORKSPACE_IMAGE } from './helpers/workspaces';

/**
 * Managed workspaces with real containers (conveyor/workspace:dev, built by scripts/setup.sh):
 * create → JupyterLab answers through the proxy (HTTP and websocket) → the server restarts and
 * reattaches → the idle culler stops it → opening it starts it again with the home volume intact.
 */
jest.setTimeout(150_000);

const IMAGE = WORKSPACE_IMAGE;
// Users of this run only: the clean-up never touches anyone else's workspaces.
const ALICE = `alice-${process.pid}`;
const BOB = `bob-${process.pid}`;
const docker = new Docker();
const dir = tempDir('workspaces');
let store: Store;
let server: ConveyorServer;
let base = '';

async function boot(databaseUrl: string, cullInterval: string): Promise<void> {
  process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL = cullInterval;
  ({ store, server, base } = await bootServer({ dataDir: dir.path, databaseUrl, logger: process.env.WS_DEBUG ? createLogger('debug') : undefined }));
}

const shutdown = () => stop({ server, store });

const api = (path: string, init: RequestInit = {}, user = ALICE) => apiFetch(base, path, user, init);
const proxied = (id: string, path: string, init: RequestInit = {}, user = ALICE) => proxyFetch(base, id, path, user, init);

const status = async (id: string): Promise<string> => (await workspaceOf(base, id, ALICE)).status;

afterAll(() => {
  dir.cleanup();
  delete process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL;
});

// SQLite always; Postgres too when CONVEYOR_TEST_PG_URL is set (scripts/test.sh and CI set it).
const pg = postgresUrl();
const backends = [{ name: 'sqlite', url: () => `sqlite:${dir.path}/conveyor.db` }, ...(pg ? [{ name: 'postgres', url: () => pg }] : [])];

describe.each(backends)('workspaces on $name', backend => {
  beforeAll(async () => {
    await cleanDocker(ALICE);
    await boot(backend.url(), '3600');
    await store.db.deleteFrom('workspaces').execute();
  });
  afterAll(async () => {
    if (process.env.WS_DEBUG) process.stderr.write('afterAll: shutdown\n');
    await shutdown();
    if (process.env.WS_DEBUG) process.stderr.write('afterAll: clean\n');
    await cleanDocker(ALICE);
    if (process.env.WS_DEBUG) process.stderr.write('afterAll: done\n');
  });

  test('bad input is a clear 400 and nothing is created', async () => {
    const bad = async (body: unknown, code: string) => {
      const res = await api('/workspaces', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe(code);
    };
    await bad({ name: 'x', image: IMAGE, profile: 'nope' }, 'unknown_profile');
    await bad({ name: 'x', image: 'conveyor/no-such-image:1', profile: 'small' }, 'unknown_image');
    await bad({ name: '../x', image: IMAGE, profile: 'small' }, 'invalid_request');
    expect((await json(await api('/workspaces'))).workspaces).toEqual([]);
  });

  test('start, proxy, isolation, reattach, idle shutdown and scale to zero with the home volume intact', async () => {
    const created = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'lab', image: IMAGE, profile: 'small', idleSeconds: 3 }) });
    expect(created.status).toBe(201);
    const ws = await json(created);
    expect(ws).toMatchObject({ name: 'lab', image: IMAGE, profile: 'small', status: 'starting', url: `/conveyor/workspaces/${ws.id}/lab` });
    const conflict = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'lab', image: IMAGE, profile: 'small' }) });
    expect(conflict.status).toBe(409);
    await waitStatus(base, ws.id, ALICE, 'running');

    // The container: unprivileged, no host mounts, the home on the owner's named volume, own network.
    const { rows } = { rows: await docker.listContainers({ filters: { label: [`io.conveyor.workspace=${ws.id}`] } }) };
    expect(rows).toHaveLength(1);
    const info = await docker.getContainer(rows[0].Id).inspect();
    expect(info.Config.User).toBe('1000:1000');
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Mounts.map(m => [m.Type, m.Name, m.Destination])).toEqual([['volume', `conveyor-home-${ALICE}`, '/home/conveyor']]);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`conveyor-ws-${ws.id}`]);
    expect(info.HostConfig.Memory).toBe(2 * 1024 ** 3);
    expect(info.Config.Labels['io.conveyor.workspace-store']).toMatch(/^[0-9a-f]{16}$/);

    // JupyterLab through the proxy: the UI, the REST API (inner token added), a websocket.
    const lab = await proxied(ws.id, 'lab', { headers: { accept: 'text/html' } });
    expect(lab.status).toBe(200);
    expect(await lab.text()).toContain(`/conveyor/workspaces/${ws.id}/`);
    const put = await proxied(ws.id, 'api/contents/hello.txt', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'file', format: 'text', content: 'kept across restarts' })
    });
    expect(put.status).toBe(201);
    const socket = await openSocket(`${base.replace('http', 'ws')}/conveyor/workspaces/${ws.id}/api/events/subscribe`, ALICE);
    socket.close();

    // Another user sees nothing; no secret, no entry.
    expect((await api(`/workspaces/${ws.id}`, {}, BOB)).status).toBe(404);
    expect((await proxied(ws.id, 'api/contents/hello.txt', {}, BOB)).status).toBe(404);
    expect((await json(await api('/workspaces', {}, BOB))).workspaces).toEqual([]);
    expect((await fetch(`${base}/conveyor/workspaces/${ws.id}/api/contents/hello.txt`)).status).toBe(401);

    // The server goes away without stopping anything (as after kill -9) and comes back: reattached.
    await shutdown();
    await boot(backend.url(), '1');
    expect(await status(ws.id)).toBe('running');
    const again = await proxied(ws.id, 'api/contents/hello.txt?content=1');
    expect(again.status).toBe(200);
    expect((await json(again)).content).toBe('kept across restarts');

    // No activity for idleSeconds: the culler stops it; the volume stays.
    await waitStatus(base, ws.id, ALICE, 'stopped');
    expect(await docker.listContainers({ filters: { label: [`io.conveyor.workspace=${ws.id}`] } })).toEqual([]);
    expect(await docker.listNetworks({ filters: { name: [`conveyor-ws-${ws.id}`] } })).toEqual([]);
    const listed = (await json(await api('/workspaces'))).workspaces[0];
    expect(listed.cost).toBeGreaterThan(0);

    // Opening it starts it again (scale to zero): a page that reloads, then the file is still there.
    const waking = await proxied(ws.id, 'lab', { headers: { accept: 'text/html' } });
    expect(waking.status).toBe(200);
    expect(await waking.text()).toContain('Starting the workspace lab');
    expect((await proxied(ws.id, 'api/status')).status).toBe(503);
    const content = await until(async () => {
      const res = await proxied(ws.id, 'api/contents/hello.txt?content=1');
      return res.status === 200 ? (await json(res)).content : undefined;
    }, 'the woken workspace');
    expect(content).toBe('kept across restarts');

    const removed = await api(`/workspaces/${ws.id}?volume=true`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await api(`/workspaces/${ws.id}`)).status).toBe(404);
  });
});
