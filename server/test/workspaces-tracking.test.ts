import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { silentLogger } from '../src/core/logger';
import type { ConveyorServer } from '../src/server';
import type { Store } from '../src/store/store';
import { WorkspaceTracking } from '../src/workspaces/tracking';
import { tempDir } from './helpers/env';
import { json, secretHeaders } from './helpers/server';
import {
  apiFetch,
  bootServer,
  cleanDocker,
  executeOn,
  kernelChannels,
  proxyFetch,
  shutdown as stop,
  waitStatus,
  workspaceOf,
  WORKSPACE_IMAGE
} from './helpers/workspaces';

/**
 * MLflow from a workspace's kernels (docs/workspaces.md "Tracking from a workspace"), with one real
 * conveyor/workspace:dev container on SQLite: the real `mlflow` client in a kernel, driven over the
 * proxy's websocket, logs as the owner through the listener on the workspace network's gateway;
 * another user sees nothing; the listener serves MLflow only, to that token only; the token comes
 * back from the container after a restart and dies with the container at stop.
 */
jest.setTimeout(150_000);

const IMAGE = WORKSPACE_IMAGE;
const ALICE = `alice-track-${process.pid}`;
const BOB = `bob-track-${process.pid}`;
const docker = new Docker();
const dir = tempDir('workspaces-tracking');
const databaseUrl = `sqlite:${dir.path}/conveyor.db`;
let store: Store;
let server: ConveyorServer;
let base = '';

async function boot(): Promise<void> {
  ({ store, server, base } = await bootServer({ dataDir: dir.path, databaseUrl }));
}

const shutdown = () => stop({ server, store });

const api = (path: string, init: RequestInit = {}, user = ALICE) => apiFetch(base, path, user, init);
const proxied = (id: string, path: string, init: RequestInit = {}) => proxyFetch(base, id, path, ALICE, init, true);
/** Conveyor's own MLflow API (the main mount), as `user`. */
const mlflow = async (path: string, user: string) => {
  const res = await fetch(`${base}/conveyor/mlflow/api/2.0/mlflow/${path}`, { headers: secretHeaders(user) });
  return { status: res.status, body: await json(res) };
};
const status = async (id: string): Promise<string> => (await workspaceOf(base, id, ALICE)).status;
const running = (id: string) => waitStatus(base, id, ALICE, 'running');

/** MLFLOW_TRACKING_URI and _TOKEN of the workspace's container, as `docker inspect` shows them. */
async function trackingEnv(id: string): Promise<{ uri: string; token: string }> {
  const [c] = await docker.listContainers({ filters: { label: [`io.conveyor.workspace=${id}`] } });
  const env = (await docker.getContainer(c.Id).inspect()).Config.Env ?? [];
  const value = (name: string) => env.find(e => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
  return { uri: value('MLFLOW_TRACKING_URI'), token: value('MLFLOW_TRACKING_TOKEN') };
}

/** Runs `code` in the kernel over the proxy's websocket; answers the reply status and what it printed. */
async function execute(id: string, kernel: string, code: string, user = ALICE): Promise<{ status: string; out: string }> {
  const channels = await kernelChannels(base, id, kernel, user);
  const result = await executeOn(channels, code, ALICE);
  channels.close();
  return result;
}

const LOG = (metric: number, extra = '') => `
import mlflow, os
mlflow.set_experiment('ws-exp')
with mlflow.start_run() as run:
    mlflow.log_param('a', 1)
    mlflow.log_metric('m', ${metric})
    ${extra}
print('RUN', run.info.run_id, os.environ['MLFLOW_TRACKING_URI'])
`;
const runIdIn = (out: string): string => /RUN ([0-9a-f]{32})/.exec(out)?.[1] ?? `no run id in: ${out}`;

beforeAll(async () => {
  await cleanDocker(ALICE);
  await boot();
});
afterAll(async () => {
  await shutdown();
  await cleanDocker(ALICE);
  dir.cleanup();
});

test('without a usable gateway the workspace gets no MLflow variables, and that is said once', async () => {
  const warnings: unknown[] = [];
  const logger = silentLogger();
  logger.warn = ((...args: unknown[]) => warnings.push(args)) as typeof logger.warn;
  const tracking = new WorkspaceTracking({ logger, mlflow: (_q, _r, next) => next(), user: async () => undefined });
  // 192.0.2.1 (TEST-NET-1) is on no interface here: EADDRNOTAVAIL, like a companion outside Docker's network namespace.
  expect(await tracking.open('a00000000001', ALICE, async () => '192.0.2.1')).toEqual({});
  expect(await tracking.open('a00000000002', ALICE, async () => Promise.reject(new Error('no network')))).toEqual({});
  expect(warnings).toHaveLength(1);
  await tracking.closeAll();
});

describe('a workspace with a kernel logging to MLflow', () => {
  let id = '';
  let kernel = '';
  let first = { uri: '', token: '' };

  test('the kernel logs with the real mlflow client as the owner; another user sees nothing', async () => {
    const created = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'track', image: IMAGE, profile: 'small' }) });
    expect(created.status).toBe(201);
    id = (await json(created)).id;
    await running(id);
    first = await trackingEnv(id);
    const net = await docker.getNetwork(`conveyor-ws-${id}`).inspect();
    expect(first.uri).toMatch(new RegExp(`^http://${(net.IPAM?.Config?.[0]?.Gateway ?? 'no gateway').replace(/\./g, '\\.')}:\\d+/conveyor/mlflow$`));
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);

    kernel = (await json(await proxied(id, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3' }) }))).id;
    const result = await execute(id, kernel, LOG(0.5, "mlflow.log_text('from the workspace', 'note.txt')"));
    expect(result).toMatchObject({ status: 'ok' });
    expect(result.out).toContain(first.uri);
    const runId = runIdIn(result.out);

    const mine = await mlflow(`runs/get?run_id=${runId}`, ALICE);
    expect(mine.status).toBe(200);
    expect(mine.body.run.data.params).toEqual([{ key: 'a', value: '1' }]);
    expect(mine.body.run.data.metrics).toEqual([expect.objectContaining({ key: 'm', value: 0.5 })]);
    const exp = await mlflow('experiments/get-by-name?experiment_name=ws-exp', ALICE);
    expect(exp.body.experiment.experiment_id).toBe(mine.body.run.info.experiment_id);
    // An artifact too (the client PUTs it through the listener's artifacts proxy).
    const note = await fetch(`${base}/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/${exp.body.experiment.experiment_id}/${runId}/artifacts/note.txt`, { headers: secretHeaders(ALICE) });
    expect(await note.text()).toBe('from the workspace');
    const listed = await json(await api('/experiments'));
    expect(JSON.stringify(listed)).toContain('ws-exp');

    const theirs = await mlflow(`runs/get?run_id=${runId}`, BOB);
    expect(theirs.status).toBe(404);
    expect((await mlflow('experiments/get-by-name?experiment_name=ws-exp', BOB)).status).toBe(404);
    expect(JSON.stringify(await json(await api('/experiments', {}, BOB)))).not.toContain('ws-exp');

    // Only the token's sha256 is kept by the server: not in the store.
    for (const f of readdirSync(dir.path).filter(n => n.startsWith('conveyor.db'))) {
      expect(readFileSync(join(dir.path, f)).includes(first.token)).toBe(false);
    }
  });

  test('the listener answers MLflow only, and only to the workspace token (not the shared secret)', async () => {
    const call = async (url: string, headers: Record<string, string>) => {
      const res = await fetch(url, { headers });
      return { status: res.status, body: await json(res) };
    };
    const bearer = { authorization: `Bearer ${first.token}` };
    const byName = `${first.uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=ws-exp`;
    expect((await call(byName, bearer)).status).toBe(200);
    expect(await call(byName, {})).toMatchObject({ status: 401, body: { error_code: 'UNAUTHENTICATED' } });
    expect((await call(byName, { authorization: `Bearer ${first.token.replace(/.$/, c => (c === '0' ? '1' : '0'))}` })).status).toBe(401);
    expect((await call(byName, secretHeaders(ALICE))).status).toBe(401);
    const origin = new URL(first.uri).origin;
    for (const path of ['/conveyor/api/v1/status', `/conveyor/workspaces/${id}/api/status`, '/conveyor/api/v1/experiments']) {
      expect(await call(`${origin}${path}`, bearer)).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
    }
  });

  test("the host's own services are closed to the workspace: only its tracking listener answers (the firewall)", async () => {
    // A host service listening on all interfaces (a Jupyter started with --ip=0.0.0.0 would be one).
    const everywhere = createServer((_q, r) => r.end('host service'));
    await new Promise<void>(resolve => everywhere.listen(0, '0.0.0.0', resolve));
    const hostPort = (everywhere.address() as AddressInfo).port;
    const { hostname, port } = new URL(first.uri);
    try {
      const probe = (p: number | string) =>
        `import socket\ntry:\n    socket.create_connection(('${hostname}', ${p}), timeout=2).close(); print('OPEN ${p}')\nexcept OSError as e:\n    print('CLOSED', type(e).__name__)`;
      expect((await execute(id, kernel, probe(port))).out).toContain(`OPEN ${port}`);
      expect((await execute(id, kernel, probe(hostPort))).out).toContain('CLOSED');
    } finally {
      everywhere.close();
    }
  });

  test('a collaborate link holder running code in the workspace logs as the owner', async () => {
    const link = await json(await api('/shares', { method: 'POST', body: JSON.stringify({ kind: 'workspace', target: { id }, scope: 'collaborate', expiresInSeconds: 600 }) }));
    expect((await api('/shares/redeem', { method: 'POST', body: JSON.stringify({ code: link.code }) }, BOB)).status).toBe(200);
    const result = await execute(id, kernel, LOG(0.25), BOB);
    expect(result).toMatchObject({ status: 'ok' });
    const runId = runIdIn(result.out);
    expect((await mlflow(`runs/get?run_id=${runId}`, ALICE)).body.run.data.metrics).toEqual([expect.objectContaining({ key: 'm', value: 0.25 })]);
    expect((await mlflow(`runs/get?run_id=${runId}`, BOB)).status).toBe(404);
  });

  test('after a server restart the listener is back for the same token and the kernel still logs', async () => {
    await shutdown();
    await boot();
    expect(await status(id)).toBe('running');
    expect(await trackingEnv(id)).toEqual(first);
    // Straight to the listener first: a missing one fails here at once (the mlflow client would retry for minutes).
    const probe = await fetch(`${first.uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=ws-exp`, { headers: { authorization: `Bearer ${first.token}` } });
    expect(probe.status).toBe(200);
    const result = await execute(id, kernel, LOG(0.75));
    expect(result).toMatchObject({ status: 'ok' });
    const runId = runIdIn(result.out);
    const run = await mlflow(`runs/get?run_id=${runId}`, ALICE);
    expect(run.body.run.data.metrics).toEqual([expect.objectContaining({ key: 'm', value: 0.75 })]);
    const exp = await mlflow('experiments/get-by-name?experiment_name=ws-exp', ALICE);
    const search = await fetch(`${base}/conveyor/mlflow/api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...secretHeaders(ALICE) },
      body: JSON.stringify({ experiment_ids: [exp.body.experiment.experiment_id] })
    });
    expect((await json(search)).runs).toHaveLength(3);
  });

  test('stopping revokes the token; the next start has a new one and the old one is refused', async () => {
    expect((await api(`/workspaces/${id}/stop`, { method: 'POST' })).status).toBe(200);
    const byName = (uri: string) => `${uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=ws-exp`;
    // The listener is closed: no answer at all (refused, or no route once the network is gone).
    await expect(fetch(byName(first.uri), { headers: { authorization: `Bearer ${first.token}` }, signal: AbortSignal.timeout(5000) })).rejects.toThrow();

    expect((await api(`/workspaces/${id}/start`, { method: 'POST' })).status).toBe(200);
    await running(id);
    const second = await trackingEnv(id);
    expect(second.token).not.toBe(first.token);
    expect((await fetch(byName(second.uri), { headers: { authorization: `Bearer ${first.token}` } })).status).toBe(401);
    expect((await fetch(byName(second.uri), { headers: { authorization: `Bearer ${second.token}` } })).status).toBe(200);
    expect((await api(`/workspaces/${id}?volume=true`, { method: 'DELETE' })).status).toBe(204);
    expect(await docker.listNetworks({ filters: { name: [`conveyor-ws-${id}`] } })).toEqual([]);
  });
});
