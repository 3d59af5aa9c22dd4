import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from './helpers/env';

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'conveyor-server.js');
const data = tempDir('cli');
const env = { ...process.env, CONVEYOR_MODE: 'team', CONVEYOR_DATA_DIR: data.path, CONVEYOR_LOG_LEVEL: 'warn' };

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bundle, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8' });
}

/** Starts `serve` and resolves with the port from its `{"event":"listening"}` stdout line. */
function serve(extraEnv: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bundle, 'serve'], { env: { ...env, CONVEYOR_PORT: '0', ...extraEnv }, stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', line => {
      const event = JSON.parse(line);
      expect(event.event).toBe('listening');
      resolve({ child, port: event.port });
    });
    child.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise(resolve => child.once('exit', code => resolve(code)));
}

beforeAll(() => {
  // The tests exercise the shipped artifact, so build it fresh.
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root });
  expect(existsSync(bundle)).toBe(true);
});
afterAll(() => data.cleanup());

describe('the conveyor-server bundle', () => {
  test('creates users and a token whose secret works against a team-mode server', async () => {
    expect(cli(['users', 'create', 'alice', '--admin']).status).toBe(0);
    expect(cli(['users', 'create', 'bob']).status).toBe(0);
    const dup = cli(['users', 'create', 'bob']);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const list = cli(['users', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((u: { name: string; admin: boolean }) => [u.name, u.admin])).toEqual([
      ['alice', true],
      ['bob', false]
    ]);

    const created = cli(['tokens', 'create', 'bob', '--name', 'laptop', '--expires-in-days', '7']);
    expect(created.status).toBe(0);
    const secret = created.stdout.trim().split('\n').pop()!;
    expect(secret).toMatch(/^cvy_[A-Za-z0-9_-]{43}$/);

    const { child, port } = await serve({});
    try {
      const res = await fetch(`http://127.0.0.1:${port}/conveyor/api/v1/status`, { headers: { Authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).user).toEqual({ name: 'bob', admin: false });
      const tokens = (await (await fetch(`http://127.0.0.1:${port}/conveyor/api/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } })).json()) as any[];
      expect(tokens).toEqual([expect.objectContaining({ name: 'laptop', expiresAt: expect.any(String) })]);

      expect(cli(['tokens', 'revoke', tokens[0].id]).status).toBe(0);
      const after = await fetch(`http://127.0.0.1:${port}/conveyor/api/v1/status`, { headers: { Authorization: `Bearer ${secret}` } });
      expect(after.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    }
  });

  test('refuses a token for an unknown user and a bad expiry', () => {
    expect(cli(['tokens', 'create', 'nobody']).status).toBe(1);
    expect(cli(['tokens', 'create', 'bob', '--expires-in-days', 'soon']).status).toBe(1);
  });

  test('embedded mode refuses to start without a secret', () => {
    const res = cli(['serve'], { CONVEYOR_MODE: 'embedded', CONVEYOR_SECRET: '' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('CONVEYOR_SECRET');
  });

  test('embedded mode exits when its stdin closes, as it must when Jupyter dies', async () => {
    const { child, port } = await serve({ CONVEYOR_MODE: 'embedded', CONVEYOR_SECRET: 's', CONVEYOR_EXIT_ON_STDIN_CLOSE: '1' });
    const res = await fetch(`http://127.0.0.1:${port}/conveyor/api/v1/health`, { headers: { 'X-Conveyor-Secret': 's' } });
    expect(await res.json()).toEqual({ ok: true });
    const done = exited(child);
    child.stdin!.end();
    expect(await done).toBe(0);
  });
});
