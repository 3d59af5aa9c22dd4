import type { Config } from '../../src/core/config';
import { silentLogger } from '../../src/core/logger';
import type { Runtime } from '../../src/runtime/runtime';
import { buildServer, type ConveyorServer } from '../../src/server';
import { Store } from '../../src/store/store';
import { tempDir } from './env';

export const SECRET = 'test-secret-0123456789';

export interface TestServer {
  server: ConveyorServer;
  store: Store;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1 with a fresh SQLite store in a temp dir. */
export async function startTestServer(
  overrides: Partial<Config> = {},
  opts: { runtime?: Runtime } = {}
): Promise<TestServer> {
  const dir = tempDir('server');
  const config: Config = {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    dataDir: dir.path,
    databaseUrl: `sqlite:${dir.path}/conveyor.db`,
    exitOnStdinClose: false,
    logLevel: 'silent',
    statusPollMs: 200,
    defaultUser: 'local',
    ...overrides
  };
  const store = await Store.open(config.databaseUrl);
  const server = await buildServer(config, silentLogger(), { store, runtime: opts.runtime });
  const port = await server.listen();
  return {
    server,
    store,
    port,
    url: `http://127.0.0.1:${port}/conveyor/api/v1`,
    close: async () => {
      await server.close();
      await store.close();
      dir.cleanup();
    }
  };
}

export const secretHeaders = (user?: string): Record<string, string> => ({
  'X-Conveyor-Secret': SECRET,
  ...(user ? { 'X-Conveyor-User': user } : {})
});

export async function json(res: Response): Promise<any> {
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}
