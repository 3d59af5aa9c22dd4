import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Config } from '../../src/core/config';
import { buildServer } from '../../src/server';
import { Store } from '../../src/store/store';
import { TokenService as ApiTokens } from '../../src/tokens/service';
import type { TokenService } from './token-service';
import { tempDir } from '../helpers/env';

/** A free loopback port (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface AuthRegistry {
  address: string;
  stop(): void;
}

/**
 * A second Debian docker-registry with `auth: htpasswd`, or `auth: token` trusting `token`'s
 * certificate, (scripts/registry-auth.sh) on a free port.
 */
export async function authRegistry(username: string, password: string, token?: TokenService): Promise<AuthRegistry> {
  const dir = tempDir('registry-auth');
  const port = await freePort();
  const tokenEnv: Record<string, string> = token
    ? { CONVEYOR_REGISTRY_TOKEN_REALM: token.realm, CONVEYOR_REGISTRY_TOKEN_SERVICE: token.service, CONVEYOR_REGISTRY_TOKEN_ISSUER: token.issuer, CONVEYOR_REGISTRY_TOKEN_CERT: token.certFile }
    : {};
  const address = execFileSync('bash', [join(__dirname, '../../../scripts/registry-auth.sh')], {
    encoding: 'utf8',
    env: { ...process.env, CONVEYOR_REGISTRY_PORT: String(port), CONVEYOR_REGISTRY_DIR: dir.path, CONVEYOR_REGISTRY_USERNAME: username, CONVEYOR_REGISTRY_PASSWORD: password, ...tokenEnv },
    stdio: ['ignore', 'pipe', 'ignore']
  }).trim();
  const pid = Number(readFileSync(join(dir.path, 'registry.pid'), 'utf8'));
  return {
    address,
    stop: () => {
      try {
        process.kill(pid);
      } catch {
        /* already gone */
      }
      dir.cleanup();
    }
  };
}

export type User = 'alice' | 'root';

export interface CredServer {
  url: string;
  /** Every log line the server wrote (level debug and up). */
  logs: string[];
  call(user: User, method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A team-mode server on `registry`, its registry settings read from `env` (CONVEYOR_REGISTRY_*)
 * as at a real start-up, logging at debug level into `logs`.
 */
export async function credServer(registry: string, env: Record<string, string>, overrides: Partial<Config> = {}): Promise<CredServer> {
  const dir = tempDir('registry-cred');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    }
  });
  const config: Config = {
    mode: 'team',
    host: '127.0.0.1',
    port: 0,
    dataDir: dir.path,
    databaseUrl: `sqlite:${dir.path}/conveyor.db`,
    exitOnStdinClose: false,
    logLevel: 'debug',
    statusPollMs: 200,
    defaultUser: 'local',
    registry,
    ...overrides
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const store = await Store.open(config.databaseUrl);
  let server;
  try {
    server = await buildServer(config, pino({ level: 'debug' }, sink), { store });
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  const port = await server.listen();
  const tokens = new ApiTokens(store);
  const secrets: Record<string, string> = {};
  for (const [name, admin] of [['alice', false], ['root', true]] as const) {
    await store.users.create(name, admin);
    secrets[name] = (await tokens.create(name, { name: 't' })).secret;
  }
  const url = `http://127.0.0.1:${port}/conveyor/api/v1`;
  return {
    url,
    logs,
    call: (user, method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secrets[user]}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      }),
    close: async () => {
      await server.close();
      await store.close();
      dir.cleanup();
    }
  };
}
