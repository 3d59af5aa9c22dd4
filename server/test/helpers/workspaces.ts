import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import WebSocket from 'ws';
import type { Config } from '../../src/core/config';
import { silentLogger, type Logger } from '../../src/core/logger';
import type { ResourceConfig } from '../../src/resources/config';
import { buildServer, type ConveyorServer } from '../../src/server';
import { Store } from '../../src/store/store';
import { json, SECRET, secretHeaders } from './server';

/**
 * The plumbing of the workspace tests (server/test/workspaces*.test.ts), which start real
 * conveyor/workspace:dev containers: a server that can go away and come back on the same store,
 * fetches as a user through the API and the workspace proxy, polling, websockets, kernels, and
 * the clean-up of a test owner's containers, networks and home volume.
 */

export const WORKSPACE_IMAGE = 'conveyor/workspace:dev';

const docker = new Docker();

export interface BootedServer {
  store: Store;
  server: ConveyorServer;
  /** http://127.0.0.1:<port> (no path). */
  base: string;
}

export interface BootOptions {
  dataDir: string;
  databaseUrl: string;
  /** More of the server's config (workspaceDir, defaultImage…). */
  config?: Partial<Config>;
  resources?: ResourceConfig;
  logger?: Logger;
  /** Runs on the opened store before the server is built (e.g. users created first). */
  prepare?: (store: Store) => Promise<void>;
}

/** A real server on 127.0.0.1 on `databaseUrl`; `shutdown` then `bootServer` again is a restart on the same store. */
export async function bootServer(opts: BootOptions): Promise<BootedServer> {
  const config: Config = {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    dataDir: opts.dataDir,
    databaseUrl: opts.databaseUrl,
    exitOnStdinClose: false,
    logLevel: 'silent',
    statusPollMs: 200,
    defaultUser: 'local',
    ...opts.config
  };
  const store = await Store.open(opts.databaseUrl);
  try {
    await opts.prepare?.(store);
    const server = await buildServer(config, opts.logger ?? silentLogger(), { store, ...(opts.resources ? { resources: opts.resources } : {}) });
    return { store, server, base: `http://127.0.0.1:${await server.listen()}` };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Goes away without stopping anything (as after kill -9: workspace containers keep running). */
export async function shutdown(booted: Pick<BootedServer, 'server' | 'store'>): Promise<void> {
  await booted.server.close();
  await booted.store.close();
}

/** `user`'s secret headers (none for null: no identity), a JSON content type when `asJson`, then `init`'s own headers. */
function withHeaders(init: RequestInit, user: string | null, asJson: boolean): RequestInit {
  return {
    ...init,
    headers: {
      ...(asJson ? { 'content-type': 'application/json' } : {}),
      ...(user === null ? {} : secretHeaders(user)),
      ...(init.headers as Record<string, string> | undefined)
    }
  };
}

/** The companion's API at `base` as `user` (JSON content type). */
export const apiFetch = (base: string, path: string, user: string | null, init: RequestInit = {}): Promise<Response> =>
  fetch(`${base}/conveyor/api/v1${path}`, withHeaders(init, user, true));

/** Workspace `id`'s JupyterLab through the proxy as `user`; a JSON content type only when `asJson`. */
export const proxyFetch = (base: string, id: string, path: string, user: string | null, init: RequestInit = {}, asJson = false): Promise<Response> =>
  fetch(`${base}/conveyor/workspaces/${id}/${path}`, withHeaders(init, user, asJson));

export interface UntilOptions {
  /** How many probes before giving up (default 240). */
  tries?: number;
  /** Milliseconds between probes (default 250). */
  every?: number;
  /** A probe that throws is tried again (its error is in the message when it gives up). */
  retryErrors?: boolean;
}

/** Polls until `probe` answers (not undefined); gives up after `tries` saying what it waited for. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string | (() => string), opts: UntilOptions = {}): Promise<T> {
  let last: unknown;
  for (let i = 0; i < (opts.tries ?? 240); i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (!opts.retryErrors) throw err;
      last = err;
    }
    await new Promise(r => setTimeout(r, opts.every ?? 250));
  }
  const label = typeof what === 'string' ? what : what();
  throw new Error(`gave up waiting for ${label}${last === undefined ? '' : ` (${String(last)})`}`);
}

/** Workspace `id` as `user` sees it; a failed one throws with its error. */
export async function workspaceOf(base: string, id: string, user: string): Promise<any> {
  const ws = await json(await apiFetch(base, `/workspaces/${id}`, user));
  if (ws?.status === 'failed') throw new Error(`workspace failed: ${ws.error}`);
  return ws;
}

/** Waits until workspace `id` has status `want` (a failed one fails at once), saying what it last saw. */
export async function waitStatus(base: string, id: string, user: string, want = 'running'): Promise<void> {
  let seen: unknown;
  await until(
    async () => {
      seen = await workspaceOf(base, id, user);
      return (seen as { status?: string })?.status === want ? true : undefined;
    },
    () => `workspace ${id} to be ${want}; last state seen: ${JSON.stringify(seen)}`
  );
}

/** Removes the workspace containers, networks and home volume of these test owners (theirs only). */
export async function cleanDocker(...owners: string[]): Promise<void> {
  for (const owner of owners) {
    const label = (kind: string) => ({ label: [`io.conveyor.kind=${kind}`, `io.conveyor.owner=${owner}`] });
    for (const c of await docker.listContainers({ all: true, filters: label('workspace') })) await docker.getContainer(c.Id).remove({ force: true });
    for (const n of await docker.listNetworks({ filters: label('workspace-network') })) await docker.getNetwork(n.Id).remove();
    await docker
      .getVolume(`conveyor-home-${owner}`)
      .remove()
      .catch(() => undefined);
  }
}

/** A websocket to `url` with `user`'s secret headers, once open; a refused upgrade rejects with its status. */
export function openSocket(url: string, user: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: secretHeaders(user) });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`websocket refused: ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** The events `user` receives over the companion's websocket, from now on. */
export async function listenEvents(base: string, user: string): Promise<{ events: any[]; close(): void }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/conveyor/api/v1/ws`, { headers: secretHeaders(user) });
  const events: any[] = [];
  ws.on('message', data => events.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { events, close: () => ws.close() };
}

/**
 * Sends `code` to the kernel on its open channels socket; resolves once the reply came and the
 * kernel is idle again, with the reply's status and what the code printed (tracebacks included).
 */
export function executeOn(channels: WebSocket, code: string, user: string): Promise<{ status: string; out: string }> {
  const msgId = randomUUID();
  let out = '';
  let status = '';
  const done = new Promise<{ status: string; out: string }>(resolve => {
    let replied = false;
    let idle = false;
    channels.on('message', data => {
      const msg = JSON.parse(String(data));
      if (msg.parent_header?.msg_id !== msgId) return;
      if (msg.msg_type === 'stream') out += msg.content.text;
      if (msg.msg_type === 'error') out += msg.content.traceback.join('\n');
      if (msg.msg_type === 'execute_reply') {
        status = msg.content.status;
        replied = true;
      }
      if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') idle = true;
      if (replied && idle) resolve({ status, out });
    });
  });
  channels.send(
    JSON.stringify({
      header: { msg_id: msgId, msg_type: 'execute_request', username: user, session: randomUUID(), version: '5.3', date: new Date().toISOString() },
      parent_header: {},
      metadata: {},
      channel: 'shell',
      buffers: [],
      content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true }
    })
  );
  return done;
}

/** The channels websocket of kernel `kernel` in workspace `id`, through the proxy as `user`. */
export const kernelChannels = (base: string, id: string, kernel: string, user: string): Promise<WebSocket> =>
  openSocket(`${base.replace('http', 'ws')}/conveyor/workspaces/${id}/api/kernels/${kernel}/channels`, user);

export interface RedeemedLink {
  /** The link's id (the clean-up finds them by its prefix). */
  id: string;
  owner: string;
  /** The workspace it points at. */
  workspace: string;
  scope: 'view' | 'collaborate';
  secretHash: string;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  /** The users who redeemed it. */
  holders: readonly string[];
}

/** A workspace share link and its grants written straight into the store (no server): for the access rules' own tests. */
export async function insertRedeemedLink(store: Store, link: RedeemedLink): Promise<void> {
  await store.db
    .insertInto('share_links')
    .values({
      id: link.id,
      owner: link.owner,
      kind: 'workspace',
      target: JSON.stringify({ id: link.workspace }),
      target_key: `workspace:${link.workspace}`,
      scope: link.scope,
      secret_hash: link.secretHash,
      expires_at: link.expiresAt,
      revoked_at: link.revokedAt,
      created_at: link.createdAt,
      uses: 1
    })
    .execute();
  for (const user of link.holders) {
    await store.db.insertInto('share_grants').values({ link_id: link.id, user, first_used_at: link.createdAt, last_used_at: link.createdAt, uses: 1 }).execute();
  }
}
