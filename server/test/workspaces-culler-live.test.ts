import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import WebSocket from 'ws';
import type { Config } from '../src/core/config';
import { silentLogger } from '../src/core/logger';
import { buildServer, type ConveyorServer } from '../src/server';
import { Store } from '../src/store/store';
import { tempDir } from './helpers/env';
import { json, SECRET, secretHeaders } from './helpers/server';

/**
 * The JupyterHub culler pitfall with a real kernel (conveyor/workspace:dev): a kernel busy in
 * `time.sleep` produces no activity, yet the workspace must outlive its idle time; once the kernel
 * is idle the culler stops it (volume kept, `workspace` event with reason idle) and opening it
 * through the proxy starts it again. workspaces.test.ts covers the plain idle path.
 */
jest.setTimeout(150_000);

const IMAGE = 'conveyor/workspace:dev';
const ALICE = `alice-cull-${process.pid}`;
const IDLE = 3;
const BUSY = 8;
const docker = new Docker();
const dir = tempDir('workspaces-cull');
let store: Store;
let server: ConveyorServer;
let base = '';

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}/conveyor/api/v1${path}`, { ...init, headers: { 'content-type': 'application/json', ...secretHeaders(ALICE) } });
const proxied = (id: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}/conveyor/workspaces/${id}/${path}`, { ...init, headers: { 'content-type': 'application/json', ...secretHeaders(ALICE), ...(init.headers as Record<string, string>) } });
const workspace = async (id: string) => json(await api(`/workspaces/${id}`));

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: secretHeaders(ALICE) });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`websocket refused: ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function cleanDocker(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: ['io.conveyor.kind=workspace', `io.conveyor.owner=${ALICE}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const n of await docker.listNetworks({ filters: { label: ['io.conveyor.kind=workspace-network', `io.conveyor.owner=${ALICE}`] } })) {
    await docker.getNetwork(n.Id).remove();
  }
  await docker.getVolume(`conveyor-home-${ALICE}`).remove().catch(() => undefined);
}

beforeAll(async () => {
  await cleanDocker();
  process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL = '1';
  const config: Config = {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    dataDir: dir.path,
    databaseUrl: `sqlite:${dir.path}/conveyor.db`,
    exitOnStdinClose: false,
    logLevel: 'silent',
    statusPollMs: 200,
    defaultUser: 'local'
  };
  store = await Store.open(config.databaseUrl);
  server = await buildServer(config, silentLogger(), { store });
  base = `http://127.0.0.1:${await server.listen()}`;
});
afterAll(async () => {
  await server.close();
  await store.close();
  await cleanDocker();
  dir.cleanup();
  delete process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL;
});

test('a kernel busy in time.sleep outlives the idle time; once idle the workspace is culled (volume kept) and reopening starts it', async () => {
  const events = await open(`${base.replace('http', 'ws')}/conveyor/api/v1/ws`);
  const heard: any[] = [];
  events.on('message', data => heard.push(JSON.parse(String(data))));
  try {
    const created = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'busy', image: IMAGE, profile: 'small', idleSeconds: IDLE }) });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    await until(async () => ((await workspace(id)).status === 'running' ? true : undefined), 'running');

    // A kernel, and over its websocket a cell that writes to the home volume and then sleeps (no output).
    const kernel = await json(await proxied(id, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3' }) }));
    const channels = await open(`${base.replace('http', 'ws')}/conveyor/workspaces/${id}/api/kernels/${kernel.id}/channels`);
    const msgId = randomUUID();
    const replied = new Promise<any>(resolve =>
      channels.on('message', data => {
        const msg = JSON.parse(String(data));
        if (msg.msg_type === 'execute_reply' && msg.parent_header?.msg_id === msgId) resolve(msg);
      })
    );
    channels.send(
      JSON.stringify({
        header: { msg_id: msgId, msg_type: 'execute_request', username: ALICE, session: randomUUID(), version: '5.3', date: new Date().toISOString() },
        parent_header: {},
        metadata: {},
        channel: 'shell',
        buffers: [],
        content: {
          code: `open('/home/conveyor/busy.txt', 'w').write('kept'); import time; time.sleep(${BUSY})`,
          silent: false,
          store_history: false,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true
        }
      })
    );
    const sent = Date.now();
    await until(async () => {
      const k = await json(await proxied(id, `api/kernels/${kernel.id}?no_track_activity=1`));
      return k.execution_state === 'busy' ? true : undefined;
    }, 'the kernel to be busy');

    // The culler looked at it after the idle time had passed (it records the busy kernel as activity) and left it running.
    const seen = await until(async () => {
      const w = await workspace(id);
      return w.status !== 'running' || Date.parse(w.lastActivityAt) >= sent + (IDLE + 1) * 1000 ? w : undefined;
    }, 'a cull sweep past the idle time');
    expect(seen.status).toBe('running');
    const reply = await replied;
    expect(reply.content.status).toBe('ok');
    expect((await workspace(id)).status).toBe('running');
    channels.close();

    // Idle now: culled, with the reason in the owner's events, the container gone and the volume kept.
    await until(async () => ((await workspace(id)).status === 'stopped' ? true : undefined), 'the idle stop');
    await until(async () => (heard.some(e => e.type === 'workspace' && e.status === 'stopped') ? true : undefined), 'the stopped event');
    expect(heard.filter(e => e.type === 'workspace' && e.status === 'stopped')).toEqual([{ type: 'workspace', id, name: 'busy', status: 'stopped', reason: 'idle' }]);
    expect(await docker.listContainers({ all: true, filters: { label: [`io.conveyor.workspace=${id}`] } })).toEqual([]);
    expect((await docker.getVolume(`conveyor-home-${ALICE}`).inspect()).Name).toBe(`conveyor-home-${ALICE}`);

    // Reopening it through the proxy starts it again; the kernel's file is still there.
    const waking = await proxied(id, 'lab', { headers: { accept: 'text/html' } });
    expect(await waking.text()).toContain('Starting the workspace busy');
    const content = await until(async () => {
      const res = await proxied(id, 'api/contents/busy.txt?content=1');
      return res.status === 200 ? (await json(res)).content : undefined;
    }, 'the reopened workspace');
    expect(content).toBe('kept');
    expect((await api(`/workspaces/${id}?volume=true`, { method: 'DELETE' })).status).toBe(204);
  } finally {
    events.close();
  }
});
