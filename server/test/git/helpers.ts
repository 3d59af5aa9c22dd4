import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { json, secretHeaders } from '../helpers/server';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'CLI User',
  GIT_AUTHOR_EMAIL: 'cli@example.com',
  GIT_COMMITTER_NAME: 'CLI User',
  GIT_COMMITTER_EMAIL: 'cli@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0'
};

/** The real git CLI in `cwd`; returns stdout (throws with stderr on failure). */
export function cli(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function write(root: string, rel: string, content: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

/** A small nbformat-4 notebook with one code cell per source (outputs optional). */
export function notebook(sources: string[], opts: { outputs?: string[]; metadata?: Record<string, unknown> } = {}): string {
  const cells = sources.map((s, i) => ({
    cell_type: 'code',
    execution_count: opts.outputs?.[i] ? i + 1 : null,
    id: `cell-${i}`,
    metadata: {},
    outputs: opts.outputs?.[i] ? [{ output_type: 'stream', name: 'stdout', text: [opts.outputs[i]] }] : [],
    source: s
  }));
  return `${JSON.stringify({ cells, metadata: opts.metadata ?? { kernelspec: { name: 'python3' } }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

/** A tiny API client for one test server and user. */
export function api(url: string, user = 'alice') {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...secretHeaders(user), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    return res;
  };
  return {
    raw: call,
    get: async (path: string) => {
      const res = await call('GET', path);
      if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
      return json(res);
    },
    post: async (path: string, body: unknown, method = 'POST') => {
      const res = await call(method, path, body);
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
      return json(res);
    }
  };
}

/** `git http-backend` behind scripts/git-http.mjs on loopback, with basic auth. */
export async function startGitHttp(projectRoot: string, user: string): Promise<{ port: number; stop(): void }> {
  const script = resolve(__dirname, '../../../scripts/git-http.mjs');
  const child: ChildProcess = spawn(process.execPath, [script, projectRoot, '--user', user], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += String(d);
      const m = /listening (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', code => fail(new Error(`git-http exited with ${code}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}
