import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { json, secretHeaders, startTestServer, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/env';
import type { Config } from '../../src/core/config';

export { TEST_IMAGE } from '../helpers/env';

/** A notebook (nbformat 4) whose code cells are the given sources; `params` becomes the cell tagged parameters. */
export function notebook(cells: string[], params?: string): string {
  const code = (source: string, tags: string[] = []) => ({
    cell_type: 'code',
    metadata: { tags },
    execution_count: null,
    outputs: [],
    source
  });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    cells: [...(params !== undefined ? [code(params, ['parameters'])] : []), ...cells.map(c => code(c))]
  });
}

export interface RunsEnv {
  t: TestServer;
  workspace: string;
  write(rel: string, content: string): void;
  post(path: string, body: unknown, user?: string): Promise<Response>;
  get(path: string, user?: string): Promise<Response>;
  submit(body: unknown, user?: string): Promise<any>;
  /** Polls GET /runs/{id} until the run is finished (or `until` says so). */
  wait(id: string, until?: (run: any) => boolean, timeoutMs?: number, user?: string): Promise<any>;
  close(): Promise<void>;
}

export async function runsEnv(overrides: Partial<Config> = {}): Promise<RunsEnv> {
  const ws = tempDir('ws');
  const t = await startTestServer({ workspaceDir: ws.path, defaultImage: process.env.CONVEYOR_TEST_IMAGE || 'conveyor/base:dev', ...overrides });
  const headers = (user?: string) => ({ ...secretHeaders(user), 'Content-Type': 'application/json' });
  const env: RunsEnv = {
    t,
    workspace: ws.path,
    write(rel, content) {
      mkdirSync(dirname(join(ws.path, rel)), { recursive: true });
      writeFileSync(join(ws.path, rel), content);
    },
    post: (path, body, user) => fetch(`${t.url}${path}`, { method: 'POST', headers: headers(user), body: JSON.stringify(body) }),
    get: (path, user) => fetch(`${t.url}${path}`, { headers: headers(user) }),
    async submit(body, user) {
      const res = await env.post('/runs', body, user);
      const out = await json(res);
      if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${JSON.stringify(out)}`);
      return out;
    },
    async wait(id, until = r => ['succeeded', 'failed', 'cancelled'].includes(r.status), timeoutMs = 90_000, user) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await json(await env.get(`/runs/${id}`, user));
        if (until(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} did not get there in time: ${JSON.stringify(run)}`);
        await new Promise(r => setTimeout(r, 150));
      }
    },
    close: async () => {
      await t.close();
      ws.cleanup();
    }
  };
  return env;
}

export function pipeline(name: string, steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'conveyor/v1', kind: 'Pipeline', name, steps, ...extra };
}
