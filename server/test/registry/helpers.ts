import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { TokenService } from '../../src/tokens/service';
import { json, startTestServer, type TestServer } from '../helpers/server';

/** The test registry: CONVEYOR_TEST_REGISTRY, else the one scripts/registry.sh starts (idempotent). */
export function testRegistry(): string {
  const given = process.env.CONVEYOR_TEST_REGISTRY;
  if (given) return given;
  return execFileSync('bash', [join(__dirname, '../../../scripts/registry.sh')], { encoding: 'utf8' }).trim();
}

export const docker = new Docker();

/** A random suffix so repeated runs against the same registry never collide. */
export const uniq = (): string => randomBytes(4).toString('hex');

/** Builds a tiny FROM-scratch image with the given labels and a unique file; returns its local tag. */
export async function tinyImage(labels: Record<string, string> = {}): Promise<string> {
  const tag = `conveyor-test/tiny:${uniq()}`;
  const p = pack();
  const labelLine = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  p.entry({ name: 'Dockerfile' }, `FROM scratch\nCOPY hello /hello\n${labelLine ? `LABEL ${labelLine}\n` : ''}`);
  p.entry({ name: 'hello' }, `hello ${uniq()}\n`);
  p.finalize();
  const stream = await docker.buildImage(p as unknown as NodeJS.ReadableStream, { t: tag });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: unknown) => (err ? reject(err) : resolve(out))));
  return tag;
}

export interface RegistryEnv {
  t: TestServer;
  registry: string;
  /** Bearer headers of a user (for the websocket). */
  headers(user: 'alice' | 'bob' | 'root'): Record<string, string>;
  call(user: 'alice' | 'bob' | 'root', method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** A team-mode server on the test registry with alice and bob (users) and root (admin). */
export async function registryEnv(overrides: Record<string, unknown> = {}): Promise<RegistryEnv> {
  const registry = testRegistry();
  const t = await startTestServer({ mode: 'team', secret: undefined, registry, ...overrides });
  const tokens = new TokenService(t.store);
  const secrets: Record<string, string> = {};
  for (const [name, admin] of [['alice', false], ['bob', false], ['root', true]] as const) {
    await t.store.users.create(name, admin);
    secrets[name] = (await tokens.create(name, { name: 't' })).secret;
  }
  return {
    t,
    registry,
    headers: user => ({ Authorization: `Bearer ${secrets[user]}` }),
    call: (user, method, path, body) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secrets[user]}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      }),
    close: () => t.close()
  };
}

export { json };

/** Removes the local engine tags a test's pushes and pulls left (`<registry>/<repo containing marker>:…`). */
export async function removeLocalTags(registry: string, marker: string): Promise<void> {
  for (const image of await docker.listImages()) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${registry}/`) && tag.includes(marker)) {
        await docker.getImage(tag).remove({ noprune: false }).catch(() => undefined);
      }
    }
  }
}
