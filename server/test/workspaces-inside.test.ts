import Docker from 'dockerode';
import WebSocket from 'ws';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, secretHeaders, startTestServer, type TestServer } from './helpers/server';
import { tempDir } from './helpers/env';
import { apiFetch, cleanDocker, proxyFetch, until as poll, WORKSPACE_IMAGE } from './helpers/workspaces';
import { notebook } from './runs/helpers';

/**
 * Conveyor inside a workspace (docs/workspaces.md): one real container of conveyor/workspace:dev
 * (built by scripts/setup.sh with the jupyterlab_conveyor wheel). The inner JupyterLab loads the
 * Conveyor labextension without spawning a companion; its calls to
 * /conveyor/workspaces/<id>/conveyor/… are answered by this server as the caller, reading files
 * from the workspace's home volume.
 */
jest.setTimeout(180_000);

const IMAGE = WORKSPACE_IMAGE;
const ALICE = `alice-in-${process.pid}`;
const BOB = `bob-in-${process.pid}`;
const CAROL = `carol-in-${process.pid}`;
const DAVE = `dave-in-${process.pid}`;
const docker = new Docker();
const host = tempDir('inside-host');
let t: TestServer;
let id = '';

/** The server's origin (t.url less the API path). */
const origin = () => t.url.replace('/conveyor/api/v1', '');
const api = (path: string, init: RequestInit = {}, user = ALICE) => apiFetch(origin(), path, user, init);
/** The workspace's JupyterLab, through the proxy. */
const proxied = (path: string, init: RequestInit = {}, user = ALICE) => proxyFetch(origin(), id, path, user, init, true);
/** Conveyor's API as the labextension inside the workspace calls it. */
const inside = (path: string, init: RequestInit = {}, user = ALICE) => proxied(`conveyor/api/v1${path}`, init, user);

/** Polls until `probe` answers, for up to 90 s; a probe that throws is tried again. */
const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => poll(probe, what, { tries: 360, retryErrors: true });

beforeAll(async () => {
  await cleanDocker(ALICE);
  // The server's own folder has a notebook of the same name that fails: a run of it would show.
  writeFileSync(join(host.path, 'inside.ipynb'), notebook(['raise SystemExit("read from the server folder, not the workspace")']));
  t = await startTestServer({ workspaceDir: host.path, defaultImage: process.env.CONVEYOR_TEST_IMAGE || 'conveyor/base:dev' });
  const created = await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'inner', image: IMAGE, profile: 'small' }) });
  expect(created.status).toBe(201);
  id = (await json(created)).id;
  await until('the workspace to run', async () => ((await json(await api(`/workspaces/${id}`))).status === 'running' ? true : undefined));
});

afterAll(async () => {
  await t?.close();
  await cleanDocker(ALICE);
  host.cleanup();
});

test('the inner JupyterLab loads the Conveyor labextension and its server extension spawns no companion', async () => {
  const page = await until('the lab page', async () => {
    const res = await proxied('lab', { headers: { accept: 'text/html' } });
    const text = await res.text();
    return res.status === 200 && text.includes('federated_extensions') ? text : undefined;
  });
  const config = JSON.parse(/<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '{}');
  expect(config.federated_extensions.map((e: { name: string }) => e.name)).toContain('jupyterlab-conveyor');
  // The engine told it which workspace it is; no Node process in the container.
  const [container] = await docker.listContainers({ filters: { label: [`io.conveyor.workspace=${id}`] } });
  const info = await docker.getContainer(container.Id).inspect();
  expect(info.Config.Env).toContain(`CONVEYOR_WORKSPACE_ID=${id}`);
  const top = await docker.getContainer(container.Id).top({ ps_args: '-eo pid,args' });
  const commands: string[] = (top.Processes as string[][]).map(p => p[p.length - 1]);
  expect(commands.some(c => c.includes('jupyter-lab') || c.includes('jupyter lab'))).toBe(true);
  expect(commands.filter(c => /\bnode\b|conveyor-server/.test(c))).toEqual([]);
  const logs = (await docker.getContainer(container.Id).logs({ stdout: true, stderr: true })).toString();
  expect(logs).toContain(`Conveyor: workspace mode (workspace ${id}), no companion`);
});

test('status answers as the caller and names the workspace; the event stream is the caller’s', async () => {
  const status = await inside('/status');
  expect(status.status).toBe(200);
  const body = await json(status);
  expect(body.user.name).toBe(ALICE);
  expect(body.workspace).toEqual({ id, access: 'owner', files: true });
  // The same server outside a workspace says nothing of one.
  expect((await json(await api('/status'))).workspace).toBeUndefined();

  const socket = new WebSocket(`${t.url.replace('http', 'ws').replace('/conveyor/api/v1', '')}/conveyor/workspaces/${id}/conveyor/api/v1/ws`, {
    headers: secretHeaders(ALICE)
  });
  const hello = await new Promise<any>((resolve, reject) => {
    socket.once('message', data => resolve(JSON.parse(String(data))));
    socket.on('unexpected-response', (_q, res) => reject(new Error(`websocket refused: ${res.statusCode}`)));
    socket.on('error', reject);
  });
  socket.close();
  expect(hello).toMatchObject({ type: 'hello', user: ALICE });
});

test('a notebook written inside the workspace is submitted from inside and its run succeeds', async () => {
  const put = await proxied('api/contents/inside.ipynb', {
    method: 'PUT',
    body: JSON.stringify({ type: 'notebook', format: 'json', content: JSON.parse(notebook(['print("ran from the workspace home")'])) })
  });
  expect(put.status).toBe(201);
  const params = await inside('/notebooks/parameters?path=inside.ipynb');
  expect(params.status).toBe(200);
  // The body arrives in two pieces, a moment apart (as over a slow network): the workspace context
  // must survive the body parser going on from a later socket read.
  const body = JSON.stringify({ notebook: { path: 'inside.ipynb' } });
  const pieces = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(body.slice(0, 10)));
      await new Promise(r => setTimeout(r, 200));
      controller.enqueue(new TextEncoder().encode(body.slice(10)));
      controller.close();
    }
  });
  const submitted = await inside('/runs', { method: 'POST', body: pieces, duplex: 'half' } as RequestInit);
  const run = await json(submitted);
  expect(submitted.status).toBe(201);
  const done = await until('the run to finish', async () => {
    const r = await json(await api(`/runs/${run.id}`));
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  });
  expect(done.status).toBe('succeeded');
  // The caller's run: listed in their runs outside the workspace too.
  expect((await json(await api('/runs'))).runs.map((r: { id: string }) => r.id)).toContain(run.id);
});

test('features writing the server folder answer 409 inside; strangers 404; view links may not read files', async () => {
  const git = await inside('/git/repo?path=');
  expect(git.status).toBe(409);
  expect((await json(git)).error.code).toBe('not_available_in_workspace');
  expect((await api('/git/repo?path=')).status).toBe(200);

  expect((await inside('/status', {}, BOB)).status).toBe(404);
  expect((await inside('/runs', { method: 'POST', body: JSON.stringify({ notebook: { path: 'inside.ipynb' } }) }, BOB)).status).toBe(404);
  const refused = await new Promise<number>(resolve => {
    const socket = new WebSocket(`${t.url.replace('http', 'ws').replace('/conveyor/api/v1', '')}/conveyor/workspaces/${id}/conveyor/api/v1/ws`, {
      headers: secretHeaders(BOB)
    });
    socket.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', () => undefined);
  });
  expect(refused).toBe(404);

  // A view link: the lab, yes; Conveyor inside answers as the holder but reads none of the owner's files.
  const link = await json(await api('/shares', { method: 'POST', body: JSON.stringify({ kind: 'workspace', target: { id }, scope: 'view', expiresInSeconds: 600 }) }));
  expect((await api('/shares/redeem', { method: 'POST', body: JSON.stringify({ code: link.code }) }, CAROL)).status).toBe(200);
  const status = await json(await inside('/status', {}, CAROL));
  expect(status.user.name).toBe(CAROL);
  expect(status.workspace).toEqual({ id, access: 'view', files: false });
  const submit = await inside('/runs', { method: 'POST', body: JSON.stringify({ notebook: { path: 'inside.ipynb' } }) }, CAROL);
  expect(submit.status).toBe(403);
  expect((await json(submit)).error.code).toBe('workspace_read_only');
  expect((await inside('/notebooks/parameters?path=inside.ipynb', {}, CAROL)).status).toBe(403);

  // A collaborate link: the workspace's files, read for the holder.
  const collab = await json(await api('/shares', { method: 'POST', body: JSON.stringify({ kind: 'workspace', target: { id }, scope: 'collaborate', expiresInSeconds: 600 }) }));
  expect((await api('/shares/redeem', { method: 'POST', body: JSON.stringify({ code: collab.code }) }, DAVE)).status).toBe(200);
  expect((await json(await inside('/status', {}, DAVE))).workspace).toEqual({ id, access: 'collaborate', files: true });
  expect((await inside('/notebooks/parameters?path=inside.ipynb', {}, DAVE)).status).toBe(200);
});
