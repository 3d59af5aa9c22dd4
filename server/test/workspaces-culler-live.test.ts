import Docker from 'dockerode';
import type { ConveyorServer } from '../src/server';
import type { Store } from '../src/store/store';
import { tempDir } from './helpers/env';
import { json } from './helpers/server';
import {
  apiFetch,
  bootServer,
  cleanDocker,
  executeOn,
  kernelChannels,
  openSocket,
  proxyFetch,
  shutdown,
  until,
  waitStatus,
  WORKSPACE_IMAGE
} from './helpers/workspaces';

/**
 * The JupyterHub culler pitfall with a real kernel (conveyor/workspace:dev): a kernel busy in
 * `time.sleep` produces no activity, yet the workspace must outlive its idle time; once the kernel
 * is idle the culler stops it (volume kept, `workspace` event with reason idle) and opening it
 * through the proxy starts it again. workspaces.test.ts covers the plain idle path.
 */
jest.setTimeout(150_000);

const IMAGE = WORKSPACE_IMAGE;
const ALICE = `alice-cull-${process.pid}`;
const IDLE = 3;
const BUSY = 8;
const docker = new Docker();
const dir = tempDir('workspaces-cull');
let store: Store;
let server: ConveyorServer;
let base = '';

const api = (path: string, init: RequestInit = {}) => apiFetch(base, path, ALICE, init);
const proxied = (id: string, path: string, init: RequestInit = {}) => proxyFetch(base, id, path, ALICE, init, true);
const workspace = async (id: string) => json(await api(`/workspaces/${id}`));

beforeAll(async () => {
  await cleanDocker(ALICE);
  process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL = '1';
  ({ store, server, base } = await bootServer({ dataDir: dir.path, databaseUrl: `sqlite:${dir.path}/conveyor.db` }));
});
afterAll(async () => {
  await shutdown({ server, store });
  await cleanDocker(ALICE);
  dir.cleanup();
  delete process.env.CONVEYOR_WORKSPACE_CULL_INTERVAL;
});

test('a kernel busy in time.sleep outlives the idle time; once idle the workspace is culled (volume kept) and reopening starts it', async () => {
  const events = await openSocket(`${base.replace('http', 'ws')}/conveyor/api/v1/ws`, ALICE);
  const heard: any[] = [];
  events.on('message', data => heard.push(JSON.parse(String(data))));
  try {
    const created = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'busy', image: IMAGE, profile: 'small', idleSeconds: IDLE }) });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    await waitStatus(base, id, ALICE, 'running');

    // A kernel, and over its websocket a cell that writes to the home volume and then sleeps (no output).
    const kernel = await json(await proxied(id, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3' }) }));
    const channels = await kernelChannels(base, id, kernel.id, ALICE);
    const replied = executeOn(channels, `open('/home/conveyor/busy.txt', 'w').write('kept'); import time; time.sleep(${BUSY})`, ALICE);
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
    expect(reply.status).toBe('ok');
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
