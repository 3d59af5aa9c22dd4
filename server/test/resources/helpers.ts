import { silentLogger } from '../../src/core/logger';
import type { Config } from '../../src/core/config';
import { resourceConfig } from '../../src/resources/config';
import { buildServer } from '../../src/server';
import { Store } from '../../src/store/store';
import { tempDir, TEST_IMAGE } from '../helpers/env';
import { json, SECRET, secretHeaders } from '../helpers/server';

export interface ResourcesServer {
  url: string;
  store: Store;
  get(path: string, user?: string): Promise<Response>;
  post(path: string, body: unknown, user?: string): Promise<Response>;
  submit(body: unknown, user?: string): Promise<any>;
  wait(id: string, until?: (run: any) => boolean, user?: string, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/** A real server (real engine, SQLite or the given database) with an admin config. */
export async function startResourcesServer(raw: unknown, opts: { databaseUrl?: string; team?: boolean } = {}): Promise<ResourcesServer> {
  const dir = tempDir('res');
  const config: Config = {
    mode: opts.team ? 'team' : 'embedded',
    host: '127.0.0.1',
    port: 0,
    secret: opts.team ? undefined : SECRET,
    dataDir: dir.path,
    databaseUrl: opts.databaseUrl ?? `sqlite:${dir.path}/conveyor.db`,
    exitOnStdinClose: false,
    logLevel: 'silent',
    statusPollMs: 200,
    defaultUser: 'local',
    workspaceDir: dir.path,
    defaultImage: TEST_IMAGE
  };
  const store = await Store.open(config.databaseUrl);
  const server = await buildServer(config, silentLogger(), { store, resources: resourceConfig(raw) });
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}/conveyor/api/v1`;
  // Team mode: `user` is a bearer token (see tokenFor).
  const headers = (user?: string) => ({
    ...(opts.team ? { Authorization: `Bearer ${user}` } : secretHeaders(user)),
    'Content-Type': 'application/json'
  });
  const env: ResourcesServer = {
    url,
    store,
    get: (path, user) => fetch(`${url}${path}`, { headers: headers(user) }),
    post: (path, body, user) => fetch(`${url}${path}`, { method: 'POST', headers: headers(user), body: JSON.stringify(body) }),
    async submit(body, user) {
      const res = await env.post('/runs', body, user);
      const out = await json(res);
      if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${JSON.stringify(out)}`);
      return out;
    },
    async wait(id, until = r => ['succeeded', 'failed', 'cancelled'].includes(r.status), user, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await json(await env.get(`/runs/${id}`, user));
        if (until(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} did not get there in time: ${JSON.stringify(run)}`);
        await new Promise(r => setTimeout(r, 100));
      }
    },
    close: async () => {
      await server.close();
      await store.close();
      dir.cleanup();
    }
  };
  return env;
}

export function cmdPipeline(name: string, steps: { name: string; command: string[]; resources?: unknown; dependsOn?: string[] }[]) {
  return { apiVersion: 'conveyor/v1', kind: 'Pipeline', name, steps };
}
