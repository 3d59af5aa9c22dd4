import Docker from 'dockerode';
import WebSocket from 'ws';
import type { Config } from '../src/core/config';
import { createLogger, silentLogger } from '../src/core/logger';
import { buildServer, type ConveyorServer } from '../src/server';
import { Store } from '../src/store/store';
import { postgresUrl, tempDir } from './helpers/env';
import { json, SECRET, secretHeaders } from './helpers/server';

/**
 * Managed workspaces with real containers (conveyor/workspace:dev, built by scripts/setup.sh):
 * create → JupyterLab answers through the proxy (HTTP and websocket) → the server restarts and
 * reattaches → the idle culler stops it → opening it starts it again with the home volume intact.
 */
jest.setTimeout(150_000);

const IMAGE = 'conveyor/workspace:dev';
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
  const config: Config = {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    dataDir: dir.path,
    databaseUrl,
    exitOnStdinClose: false,
    logLevel: 'silent',
    statusPollMs: 200,
    defaultUser: 'local'
  };
  store = await Store.open(config.databaseUrl);
  server = await buildServer(config, process.env.WS_DEBUG ? createLogger('debug') : silentLogger(), { store });
  base = `http://127.0.0.1:${await server.listen()}`;
}

async function shutdown(): Promise<void> {
  await server.close();
  await store.close();
}

const api = (path: string, init: RequestInit = {}, user = ALICE) =>
  fetch(`${base}/conveyor/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...secretHeaders(user), ...(init.headers as Record<string, string>) }
  });
const proxied = (id: string, path: string, init: RequestInit = {}, user = ALICE) =>
  fetch(`${base}/conveyor/workspaces/${id}/${path}`, { ...init, headers: { ...secretHeaders(user), ...(init.headers as Record<string, string>) } });

/** What the last status poll saw, for the message when a wait gives up. */
const seen: { last: unknown } = { last: undefined };
/** Polls until `probe` answers; gives up after 60 s (a stuck workspace, not a slow one) saying what it saw. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting; last state seen: ${JSON.stringify(seen.last)}`);
}

const status = async (id: string): Promise<string> => {
  const ws = await json(await api(`/workspaces/${id}`));
  seen.last = ws;
  if (ws.status === 'failed') throw new Error(`workspace failed: ${ws.error}`);
  return ws.status;
};
const waitStatus = (id: string, want: string) => until(async () => ((await status(id)) === want ? true : undefined));

async function cleanDocker(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: ['io.conveyor.kind=workspace', `io.conveyor.owner=${ALICE}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const n of await docker.listNetworks({ filters: { label: ['io.conveyor.kind=workspace-network', `io.conveyor.owner=${ALICE}`] } })) {
    await docker.getNetwork(n.Id).remove();
  }
  await docker.getVolume(`conveyor-home-${ALICE}`).remove().catch(() => undefined);
}

afterAll(() => {
  dir.cleanup();
  delete process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL;
});

// SQLite always; Postgres too when CONVEYOR_TEST_PG_URL is set (scripts/test.sh and CI set it).
const pg = postgresUrl();
const backends = [{ name: 'sqlite', url: () => `sqlite:${dir.path}/conveyor.db` }, ...(pg ? [{ name: 'postgres', url: () => pg }] : [])];

describe.each(backends)('workspaces on $name', backend => {
  beforeAll(async () => {
    await cleanDocker();
    await boot(backend.url(), '3600');
    await store.db.deleteFrom('workspaces').execute();
  });
  afterAll(async () => {
    if (process.env.WS_DEBUG) process.stderr.write('afterAll: shutdown\n');
    await shutdown();
    if (process.env.WS_DEBUG) process.stderr.write('afterAll: clean\n');
    await cleanDocker();
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
    await waitStatus(ws.id, 'running');

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
    const socket = new WebSocket(`${base.replace('http', 'ws')}/conveyor/workspaces/${ws.id}/api/events/subscribe`, { headers: secretHeaders(ALICE) });
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('unexpected-response', (_q, res) => reject(new Error(`websocket refused: ${res.statusCode}`)));
      socket.on('error', reject);
    });
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
    await waitStatus(ws.id, 'stopped');
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
    });
    expect(content).toBe('kept across restarts');

    const removed = await api(`/workspaces/${ws.id}?volume=true`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await api(`/workspaces/${ws.id}`)).status).toBe(404);
  });
});
