import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Express } from 'express';
import { Authenticator } from './auth/authenticator';
import { createApp } from './core/app';
import type { Config } from './core/config';
import type { Logger } from './core/logger';
import { EventHub } from './events/hub';
import { DockerRuntime } from './runtime/docker';
import type { Runtime } from './runtime/runtime';
import { StatusService } from './status/service';
import { statusRouteDocs, statusRoutes } from './status/routes';
import { Store } from './store/store';
import { tokenRouteDocs, tokenRoutes } from './tokens/routes';
import { TokenService } from './tokens/service';

export interface ConveyorServer {
  app: Express;
  http: Server;
  store: Store;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number>;
  close(): Promise<void>;
}

function healthRoutes(): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}

/** Wires store, runtime, services, routers and the websocket into one HTTP server. */
export async function buildServer(
  config: Config,
  logger: Logger,
  opts: { runtime?: Runtime; store?: Store } = {}
): Promise<ConveyorServer> {
  const store = opts.store ?? (await Store.open(config.databaseUrl));
  const runtime = opts.runtime ?? new DockerRuntime();
  const tokens = new TokenService(store);
  const status = new StatusService({ mode: config.mode, store, runtime });
  const auth = new Authenticator(config, store, tokens);

  const app = createApp({
    logger,
    authenticate: auth.middleware(),
    routers: [healthRoutes(), statusRoutes(status), tokenRoutes(tokens)],
    routeDocs: [
      { method: 'get', path: '/health', summary: 'Liveness', response: { inline: { type: 'object', properties: { ok: { const: true } } } } },
      ...statusRouteDocs,
      ...tokenRouteDocs
    ]
  });
  const http = createServer(app);
  const hub = new EventHub({ auth, status, logger, pollMs: config.statusPollMs });
  hub.attach(http);

  let closing: Promise<void> | undefined;
  return {
    app,
    http,
    store,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve((http.address() as AddressInfo).port);
        });
      }),
    close: () => {
      closing ??= (async () => {
        hub.close();
        await new Promise<void>(resolve => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        if (!opts.store) {
          await store.close();
        }
      })();
      return closing;
    }
  };
}
