import Docker from 'dockerode';
import WebSocket from 'ws';
import type { ConveyorServer } from '../src/server';
import { Store } from '../src/store/store';
import { sharedSuffix } from '../src/workspaces/scope';
import { access } from '../src/workspaces/service';
import { postgresUrl, tempDir } from './helpers/env';
import { json, secretHeaders } from './helpers/server';
import { apiFetch, bootServer, cleanDocker, insertRedeemedLink, proxyFetch, shutdown, until, waitStatus, WORKSPACE_IMAGE } from './helpers/workspaces';

/**
 * The workspace proxy's authorization matrix with one real container (conveyor/workspace:dev):
 * owner, view and collaborate link holders, another user, no identity, an expired and a revoked
 * link — for the lab page, contents reads and writes, kernel start, a kernel websocket and the
 * management API; the inner JupyterLab's cookies never reach the browser.
 */
jest.setTimeout(150_000);

const IMAGE = WORKSPACE_IMAGE;
const tag = process.pid;
const OWNER = `wpo-${tag}`;
const VIEW = `wpv-${tag}`;
const COLLAB = `wpc-${tag}`;
const OTHER = `wpx-${tag}`;
const EXPIRED = `wpe-${tag}`;
const REVOKED = `wpr-${tag}`;
const ANON = null;
type Who = string | null;

const docker = new Docker();
const dir = tempDir('workspaces-proxy');
let store: Store;
let server: ConveyorServer;
let base = '';
let id = '';

const headersOf = (who: Who): Record<string, string> => (who === null ? {} : secretHeaders(who));
const api = async (who: Who, method: string, path: string, body?: unknown) => {
  const res = await apiFetch(base, path, who, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await json(res) };
};
const proxied = (who: Who, path: string, init: RequestInit = {}) => proxyFetch(base, id, path, who, { redirect: 'manual', ...init });
const putFile = (who: Who, name: string) =>
  proxied(who, `api/contents/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'file', format: 'text', content: `from ${who}` })
  });

/** The upgrade's answer: 101 when the websocket opened, else the refusal's status. */
function upgrade(who: Who, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/conveyor/workspaces/${id}/${path}`, { headers: headersOf(who) });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

const statusOf = async (): Promise<string> => (await api(OWNER, 'GET', `/workspaces/${id}`)).body.status;

beforeAll(async () => {
  await cleanDocker(OWNER);
  ({ store, server, base } = await bootServer({ dataDir: dir.path, databaseUrl: `sqlite:${dir.path}/conveyor.db` }));
  const created = await api(OWNER, 'POST', '/workspaces', { name: 'shared', image: IMAGE, profile: 'small' });
  expect(created.status).toBe(201);
  id = created.body.id;
  const links: Record<string, { id: string; code: string }> = {};
  for (const [who, scope] of [[VIEW, 'view'], [COLLAB, 'collaborate'], [EXPIRED, 'collaborate'], [REVOKED, 'collaborate']] as const) {
    const link = await api(OWNER, 'POST', '/shares', { kind: 'workspace', target: { id }, scope, expiresInSeconds: 3600 });
    expect(link.status).toBe(201);
    links[who] = link.body;
    expect((await api(who, 'POST', '/shares/redeem', { code: link.body.code })).status).toBe(200);
  }
  // The expired link: its expiry moved into the past (no waiting on the clock).
  await store.db.updateTable('share_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', links[EXPIRED].id).execute();
  (globalThis as { revokedLink?: string }).revokedLink = links[REVOKED].id;
  await waitStatus(base, id, OWNER, 'running');
});

afterAll(async () => {
  await shutdown({ server, store });
  await cleanDocker(OWNER);
  dir.cleanup();
});

test('who reaches what: lab page, contents, kernels, websockets, management', async () => {
  // The revoked link works until it is revoked, then not on the very next request.
  expect((await proxied(REVOKED, 'api/contents')).status).toBe(200);
  expect((await api(OWNER, 'DELETE', `/shares/${(globalThis as { revokedLink?: string }).revokedLink}`)).status).toBeLessThan(300);

  // The lab page on the caller's own layout (others' layouts redirect there: the next test).
  const lab = async (who: Who) =>
    (await proxied(who, `lab/workspaces/default-${sharedSuffix(String(who))}`, { headers: { accept: 'text/html' } })).status;
  const read = async (who: Who) => (await proxied(who, 'api/contents')).status;
  const expected = { [OWNER]: 200, [VIEW]: 200, [COLLAB]: 200, [OTHER]: 404, [EXPIRED]: 404, [REVOKED]: 404 };
  for (const [who, status] of Object.entries(expected)) {
    expect([who, await lab(who), await read(who)]).toEqual([who, status, status]);
  }
  expect([await lab(ANON), await read(ANON)]).toEqual([401, 401]);

  // Writes: owner and collaborate; a view holder gets a read-only refusal JupyterLab can show.
  expect((await putFile(OWNER, 'owner.txt')).status).toBe(201);
  expect((await putFile(COLLAB, 'collab.txt')).status).toBe(201);
  const refused = await putFile(VIEW, 'view.txt');
  expect(refused.status).toBe(403);
  expect(await json(refused)).toMatchObject({ code: 'workspace_read_only', message: expect.stringContaining('read-only') });
  for (const who of [OTHER, EXPIRED, REVOKED]) expect((await putFile(who, 'x.txt')).status).toBe(404);
  expect((await putFile(ANON, 'x.txt')).status).toBe(401);
  expect((await proxied(VIEW, 'api/contents/owner.txt', { method: 'DELETE' })).status).toBe(403);
  expect((await proxied(OWNER, 'api/contents/view.txt')).status).toBe(404); // the refused write left nothing
  const shown = await json(await proxied(VIEW, 'api/contents/collab.txt?content=1'));
  expect(shown.content).toBe(`from ${COLLAB}`);

  // Kernels: a session starts for owner and collaborate only; its channels open for them only.
  const session = (who: Who, name: string) =>
    proxied(who, 'api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: name, name, type: 'notebook', kernel: { name: 'python3' } })
    });
  const mine = await session(OWNER, 'a.ipynb');
  expect(mine.status).toBe(201);
  const kernel = (await json(mine)).kernel.id as string;
  expect((await session(COLLAB, 'b.ipynb')).status).toBe(201);
  expect((await session(VIEW, 'c.ipynb')).status).toBe(403);
  for (const who of [OTHER, EXPIRED, REVOKED]) expect((await session(who, 'd.ipynb')).status).toBe(404);
  const channels = `api/kernels/${kernel}/channels`;
  const sockets: Record<string, number> = {};
  for (const who of [OWNER, COLLAB, VIEW, OTHER, EXPIRED, REVOKED, ANON]) sockets[String(who)] = await upgrade(who, channels);
  expect(sockets).toEqual({ [OWNER]: 101, [COLLAB]: 101, [VIEW]: 403, [OTHER]: 404, [EXPIRED]: 404, [REVOKED]: 404, null: 401 });
  // JupyterLab's event stream is open to a view holder too; terminals are not.
  expect(await upgrade(VIEW, 'api/events/subscribe')).toBe(101);
  expect(await upgrade(VIEW, 'terminals/websocket/1')).toBe(403);
  expect((await proxied(VIEW, 'api/terminals', { method: 'POST' })).status).toBe(403);

  // Management stays the owner's: link holders get the same 404 as strangers.
  for (const who of [VIEW, COLLAB, OTHER]) {
    for (const action of ['stop', 'restart', 'start']) expect((await api(who, 'POST', `/workspaces/${id}/${action}`)).status).toBe(404);
    expect((await api(who, 'DELETE', `/workspaces/${id}`)).status).toBe(404);
    expect((await api(who, 'POST', '/shares', { kind: 'workspace', target: { id }, expiresInSeconds: 60 })).status).toBe(404);
  }
  expect(await statusOf()).toBe('running');
});

test("a view holder keeps their own layout and never writes the owner's", async () => {
  const suffix = sharedSuffix(VIEW);
  expect(suffix).toMatch(/^shared-[0-9a-f]{12}$/);
  const landing = await proxied(VIEW, '?layout=analysis');
  expect(landing.status).toBe(302);
  expect(landing.headers.get('location')).toBe(`/conveyor/workspaces/${id}/lab/workspaces/analysis-${suffix}?clone=analysis`);
  expect((await proxied(VIEW, '')).headers.get('location')).toBe(`/conveyor/workspaces/${id}/lab/workspaces/default-${suffix}?clone=`);
  expect((await proxied(OWNER, '')).headers.get('location')).toBe(`/conveyor/workspaces/${id}/lab`);
  // The lab page on someone else's layout (or none) goes to the holder's own copy; their own opens.
  const opened = async (who: Who, path: string) => {
    const res = await proxied(who, path, { headers: { accept: 'text/html' } });
    return res.status === 302 ? res.headers.get('location') : res.status;
  };
  expect(await opened(VIEW, 'lab/workspaces/analysis?clone=')).toBe(`/conveyor/workspaces/${id}/lab/workspaces/analysis-${suffix}?clone=analysis`);
  expect(await opened(COLLAB, 'lab')).toBe(`/conveyor/workspaces/${id}/lab/workspaces/default-${sharedSuffix(COLLAB)}?clone=`);
  expect(await opened(VIEW, `lab/workspaces/analysis-${suffix}?clone=analysis`)).toBe(200);
  expect(await opened(OWNER, 'lab/workspaces/analysis')).toBe(200);
  const layout = (who: Who, name: string) =>
    proxied(who, `lab/api/workspaces/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: {}, metadata: { id: name } })
    });
  expect((await layout(OWNER, 'analysis')).status).toBe(204);
  expect((await layout(VIEW, `analysis-${suffix}`)).status).toBe(204);
  expect((await layout(VIEW, 'analysis')).status).toBe(403);
  expect((await layout(VIEW, `analysis-${sharedSuffix(COLLAB)}`)).status).toBe(403);
  expect((await layout(VIEW, 'default')).status).toBe(403);
  expect((await proxied(VIEW, 'lab/api/workspaces/analysis')).status).toBe(200);
});

test("the inner JupyterLab's cookies are not passed on", async () => {
  // Directly, the inner server sets its own _xsrf cookie on the lab page…
  const c = (await docker.listContainers({ filters: { label: [`io.conveyor.workspace=${id}`] } }))[0];
  const info = await docker.getContainer(c.Id).inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0].IPAddress;
  const token = (info.Config.Env ?? []).find(e => e.startsWith('JUPYTER_TOKEN='))!.slice('JUPYTER_TOKEN='.length);
  const direct = await fetch(`http://${ip}:8888/conveyor/workspaces/${id}/lab`, { headers: { authorization: `token ${token}` } });
  expect(direct.status).toBe(200);
  expect(direct.headers.getSetCookie().join('\n')).toContain('_xsrf');
  // …which would shadow the outer Jupyter's _xsrf for these paths: the proxy drops it.
  for (const who of [OWNER, VIEW]) {
    const res = await proxied(who, `lab/workspaces/default-${sharedSuffix(who)}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
  }
});

test('behind a Jupyter base URL the page names it; a malformed base is ignored', async () => {
  const page = (base: string) => proxied(OWNER, 'lab', { headers: { accept: 'text/html', 'x-conveyor-base-url': base } });
  const rewritten = await page('/user/ada/');
  expect(rewritten.status).toBe(200);
  const html = await rewritten.text();
  expect(html).toContain(`"baseUrl": "/user/ada/conveyor/workspaces/${id}/"`);
  expect(html).toMatch(new RegExp(`src="/user/ada/conveyor/workspaces/${id}/static/lab/main\\.`));
  expect(Number(rewritten.headers.get('content-length'))).toBe(Buffer.byteLength(html));
  const logo = (await json(await proxied(OWNER, 'api/kernelspecs', { headers: { 'x-conveyor-base-url': '/user/ada/' } }))).kernelspecs.python3.resources['logo-svg'];
  expect(logo).toBe(`/user/ada/conveyor/workspaces/${id}/kernelspecs/python3/logo-svg.svg`);
  expect(await (await page('/user/"x/')).text()).toContain(`"baseUrl": "/conveyor/workspaces/${id}/"`);
});

test('a stopped workspace: a collaborator wakes it, a view holder is told the owner stopped it', async () => {
  expect((await api(OWNER, 'POST', `/workspaces/${id}/stop`)).status).toBe(200);
  const page = await proxied(VIEW, `lab/workspaces/default-${sharedSuffix(VIEW)}`, { headers: { accept: 'text/html' } });
  expect(page.status).toBe(409);
  expect(await page.text()).toContain('The owner has stopped the workspace shared');
  const apiRefusal = await proxied(VIEW, 'api/contents');
  expect(apiRefusal.status).toBe(409);
  expect((await json(apiRefusal)).code).toBe('workspace_stopped');
  expect(await upgrade(VIEW, 'api/events/subscribe')).toBe(409);
  expect(await statusOf()).toBe('stopped');
  expect((await proxied(COLLAB, 'api/contents')).status).toBe(503);
  expect(['starting', 'running']).toContain(await statusOf());
  await until(async () => ((await proxied(COLLAB, 'api/contents')).status === 200 ? true : undefined), 'the woken workspace');
  expect((await api(OWNER, 'DELETE', `/workspaces/${id}?volume=true`)).status).toBe(204);
});

// The access rule itself on each store (Postgres when CONVEYOR_TEST_PG_URL is set), on rows written
// directly: no server and no container, so nothing else sharing the database is touched.
const pg = postgresUrl();
describe.each([{ name: 'sqlite', url: () => `sqlite:${dir.path}/access.db` }, ...(pg ? [{ name: 'postgres', url: () => pg }] : [])])(
  'access() on $name',
  backend => {
    test('owner, the best live scope, and nothing for expired, revoked or other links', async () => {
      const db = await Store.open(backend.url());
      const wid = Math.random().toString(16).slice(2, 14).padEnd(12, '0');
      const now = new Date();
      const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
      const row = {
        id: wid, owner: OWNER, name: `acc-${wid}`, image: IMAGE, image_digest: null, profile: 'small', status: 'stopped' as const,
        container_id: null, volume: 'v', network: 'n', token_hash: null, idle_seconds: 60, run_seconds: 0,
        created_at: at(0), started_at: null, stopped_at: null, last_activity_at: null, error: null
      };
      const links = [
        { who: VIEW, scope: 'view', expires: at(3600), revoked: null },
        { who: COLLAB, scope: 'view', expires: at(3600), revoked: null },
        { who: COLLAB, scope: 'collaborate', expires: at(3600), revoked: null },
        { who: EXPIRED, scope: 'collaborate', expires: at(-1), revoked: null },
        { who: REVOKED, scope: 'collaborate', expires: at(3600), revoked: at(-1) }
      ] as const;
      try {
        await db.db.insertInto('workspaces').values(row).execute();
        for (const [i, l] of links.entries()) {
          await insertRedeemedLink(db, {
            id: `${wid.slice(0, 10)}${i}${i}`,
            owner: OWNER,
            workspace: wid,
            scope: l.scope,
            secretHash: `${wid}-${i}`,
            expiresAt: l.expires,
            revokedAt: l.revoked,
            createdAt: at(0),
            holders: [l.who]
          });
        }
        const got: Record<string, unknown> = {};
        for (const who of [OWNER, VIEW, COLLAB, OTHER, EXPIRED, REVOKED]) got[who] = await access(db.db, { name: who } as never, row, now);
        expect(got).toEqual({ [OWNER]: 'owner', [VIEW]: 'view', [COLLAB]: 'collaborate', [OTHER]: null, [EXPIRED]: null, [REVOKED]: null });
      } finally {
        await db.db.deleteFrom('share_grants').where('link_id', 'like', `${wid.slice(0, 10)}%`).execute();
        await db.db.deleteFrom('share_links').where('target_key', '=', `workspace:${wid}`).execute();
        await db.db.deleteFrom('workspaces').where('id', '=', wid).execute();
        await db.close();
      }
    });
  }
);
