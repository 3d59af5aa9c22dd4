import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerEvent } from '../../../schema/generated/api';
import type { Authenticator } from '../auth/authenticator';
import type { Identity } from '../auth/identity';
import { AppError, isAppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { API_PREFIX, SERVER_VERSION } from '../core/version';
import type { RuntimeInfo } from '../runtime/runtime';
import type { StatusService } from '../status/service';
import type { LogStore } from '../logs/store';
import { LogSubscriptions, type LogAccess } from './logSubscriptions';

export const WS_PATH = `${API_PREFIX}/ws`;

interface Client {
  socket: WebSocket;
  identity: Identity;
  logs?: LogSubscriptions;
}

/** Messages a client may send. */
interface ClientMessage {
  type?: unknown;
  runId?: unknown;
  step?: unknown;
  from?: unknown;
}

/** The key of the engine state a `status` event is sent for when it changes. */
function engineKey(info: RuntimeInfo): string {
  return info.state === 'running' ? `running ${info.version}` : `unavailable ${info.error}`;
}

function refuse(socket: Duplex, error: AppError): void {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const reason = error.status === 401 ? 'Unauthorized' : error.status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Handles an authenticated websocket upgrade outside /conveyor/api/v1/ws. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity) => void | Promise<void>;

/**
 * The websocket at /conveyor/api/v1/ws. Authenticates the upgrade like any request, greets with
 * `hello` and the current `status`, then polls the engine only while someone is listening and
 * sends `status` again when the engine state changes.
 */
export class EventHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly upgrades: { prefix: string | RegExp; handle: UpgradeHandler }[] = [];
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  private lastKey: string | undefined;

  constructor(
    private readonly deps: {
      auth: Authenticator;
      status: StatusService;
      logger: Logger;
      pollMs: number;
      /** Step logs for subscribe-logs, with the check that the caller owns the run. */
      logs?: { store: LogStore; access: LogAccess };
    }
  ) {}

  /** Sends an event to every socket of one user (run events go to the run's owner only). */
  publish(user: string, event: ServerEvent): void {
    for (const client of this.clients) {
      if (client.identity.user.name === user) {
        this.send(client, event);
      }
    }
  }

  private async message(client: Client, data: unknown): Promise<void> {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(String(data)) as ClientMessage;
    } catch {
      return;
    }
    const logs = this.deps.logs;
    if (!logs || typeof msg.runId !== 'string' || typeof msg.step !== 'string') {
      return;
    }
    client.logs ??= new LogSubscriptions(logs.store, logs.access, event => this.send(client, event));
    if (msg.type === 'subscribe-logs') {
      const from = typeof msg.from === 'number' && Number.isInteger(msg.from) && msg.from >= 0 ? msg.from : 0;
      const ok = await client.logs.subscribe(client.identity.user.name, msg.runId, msg.step, from);
      if (!ok) {
        this.deps.logger.debug({ user: client.identity.user.name, run: msg.runId }, 'log subscription refused');
      }
    } else if (msg.type === 'unsubscribe-logs') {
      client.logs.unsubscribe(msg.runId, msg.step);
    }
  }

  /**
   * Other websockets under `prefix` (e.g. workspaces' proxy), authenticated here like this one. A
   * RegExp prefix is tested on the path. The first registered match wins: register specific ones first.
   */
  addUpgrade(prefix: string | RegExp, handle: UpgradeHandler): void {
    this.upgrades.push({ prefix, handle });
  }

  /** Serves this hub's own event stream on an upgrade another handler authenticated (workspaces/inside.ts). */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity): void {
    this.wss.handleUpgrade(req, socket, head, ws => this.connected(ws, identity));
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const path = (req.url ?? '').split('?')[0];
    const extra = this.upgrades.find(u => (typeof u.prefix === 'string' ? path.startsWith(u.prefix) : u.prefix.test(path)));
    if (path !== WS_PATH && !extra) {
      refuse(socket, AppError.notFound(`No websocket at ${path}`));
      return;
    }
    let identity: Identity;
    try {
      identity = await this.deps.auth.authenticate(req.headers);
    } catch (err) {
      refuse(socket, isAppError(err) ? err : AppError.unauthenticated());
      return;
    }
    if (extra) {
      void extra.handle(req, socket, head, identity);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, ws => this.connected(ws, identity));
  }

  private connected(socket: WebSocket, identity: Identity): void {
    const client: Client = { socket, identity };
    this.clients.add(client);
    this.deps.logger.debug({ user: identity.user.name }, 'websocket connected');
    socket.on('message', data => {
      void this.message(client, data).catch(err => this.deps.logger.warn({ err }, 'websocket message failed'));
    });
    socket.on('close', () => {
      client.logs?.close();
      this.clients.delete(client);
      if (this.clients.size === 0) {
        this.stopPolling();
      }
    });
    socket.on('error', () => socket.terminate());
    this.send(client, { type: 'hello', version: SERVER_VERSION, user: identity.user.name });
    void this.deps.status.engineInfo().then(async info => {
      this.lastKey ??= engineKey(info);
      await this.sendStatus(client, info);
      this.startPolling();
    });
  }

  private send(client: Client, event: ServerEvent): void {
    if (client.socket.readyState === client.socket.OPEN) {
      client.socket.send(JSON.stringify(event));
    }
  }

  private async sendStatus(client: Client, info: RuntimeInfo): Promise<void> {
    this.send(client, { type: 'status', status: await this.deps.status.status(client.identity, info) });
  }

  private startPolling(): void {
    if (this.timer || this.clients.size === 0) {
      return;
    }
    this.timer = setInterval(() => void this.poll(), this.deps.pollMs);
    this.timer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lastKey = undefined;
  }

  private async poll(): Promise<void> {
    const info = await this.deps.status.engineInfo();
    const key = engineKey(info);
    if (key === this.lastKey) {
      return;
    }
    this.lastKey = key;
    this.deps.logger.info({ docker: info.state }, 'docker engine state changed');
    await Promise.all([...this.clients].map(c => this.sendStatus(c, info)));
  }

  /** Closes every connection (server shutdown). */
  close(): void {
    this.stopPolling();
    for (const client of this.clients) {
      client.socket.close(1001, 'server shutting down');
    }
    this.wss.close();
  }
}
