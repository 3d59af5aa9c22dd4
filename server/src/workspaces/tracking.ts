import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { setIdentity } from '../auth/identity';
import { drainUnreadBody } from '../core/app';
import type { Logger } from '../core/logger';
import { requestLogger } from '../core/requestLog';
import type { User } from '../store/users';
import { MLFLOW_MOUNT } from '../tracking';
import { MlflowError, mlflowErrorHandler } from '../tracking/mlflow/errors';

export const URI_VAR = 'MLFLOW_TRACKING_URI';
export const TOKEN_VAR = 'MLFLOW_TRACKING_TOKEN';

/** What the container's env carries (read back with `docker inspect` after a restart). */
export interface TrackingEnv {
  uri: string;
  token: string;
}

export interface WorkspaceTrackingDeps {
  logger: Logger;
  /** The MLflow REST router (tracking/mlflow/router.ts, with the model registry's routes). */
  mlflow: RequestHandler;
  user(name: string): Promise<User | undefined>;
}

interface Endpoint {
  server: Server;
  owner: string;
  /** sha256 of the workspace tracking token; the token itself is only in the container's env. */
  hash: Buffer;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Experiment tracking from a workspace's kernels (docs/workspaces.md "Tracking from a workspace").
 * Per running workspace, an HTTP listener on its bridge network's gateway (the host side, the one
 * host address the container is meant to reach) serving only the MLflow REST API, to one bearer
 * token made at each start, as the workspace's owner. The token lives in the container's env
 * (MLFLOW_TRACKING_TOKEN); this keeps its sha256. Stopping the workspace closes the listener.
 * Tracking never stops a workspace: when the listener cannot be made it warns (once) and the
 * workspace starts without the MLflow variables.
 */
export class WorkspaceTracking {
  private readonly endpoints = new Map<string, Endpoint>();
  private warned = false;

  constructor(private readonly deps: WorkspaceTrackingDeps) {}

  /** At start, before the container is made: a listener on `gateway` and a new token; the env to set ({} without tracking). */
  async open(id: string, owner: string, gateway: () => Promise<string>): Promise<Record<string, string>> {
    await this.close(id);
    const token = randomBytes(32).toString('hex');
    try {
      const host = await gateway();
      const port = await this.listen(id, owner, host, 0, token);
      return { [URI_VAR]: `http://${host}:${port}${MLFLOW_MOUNT}`, [TOKEN_VAR]: token };
    } catch (err) {
      this.failed(id, err);
      return {};
    }
  }

  /** After a restart: the listener again, on the address and port the container's env names, for the token it carries. */
  async reopen(id: string, owner: string, env: TrackingEnv | undefined): Promise<void> {
    if (!env || this.endpoints.has(id)) return;
    try {
      const url = new URL(env.uri);
      await this.listen(id, owner, url.hostname, Number(url.port), env.token);
    } catch (err) {
      this.failed(id, err);
    }
  }

  /** Revokes the workspace's token: its listener closes (at stop, and for all at shutdown). */
  async close(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) return;
    this.endpoints.delete(id);
    await new Promise<void>(resolve => {
      endpoint.server.close(() => resolve());
      endpoint.server.closeAllConnections();
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.endpoints.keys()].map(id => this.close(id)));
  }

  private failed(id: string, err: unknown): void {
    // One warning per outage (e.g. the companion cannot bind Docker's bridge addresses), not one per start.
    if (!this.warned) {
      this.deps.logger.warn({ workspace: id, err: (err as Error).message }, 'no tracking listener for the workspace: its kernels run without MLFLOW_TRACKING_URI');
    }
    this.warned = true;
  }

  private async listen(id: string, owner: string, host: string, port: number, token: string): Promise<number> {
    const endpoint: Endpoint = { server: createServer(this.app(id)), owner, hash: digest(token) };
    const bound = await new Promise<number>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(port, host, () => {
        endpoint.server.off('error', reject);
        resolve((endpoint.server.address() as AddressInfo).port);
      });
    });
    this.endpoints.set(id, endpoint);
    this.warned = false;
    this.deps.logger.info({ workspace: id, host, port: bound }, 'workspace tracking listener ready');
    return bound;
  }

  private app(id: string): express.Express {
    const { logger } = this.deps;
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(requestLogger(logger));
    const auth: RequestHandler = async (req, _res, next) => {
      try {
        const endpoint = this.endpoints.get(id);
        const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        const ok = !!endpoint && !!match && timingSafeEqual(digest(match[1]), endpoint.hash);
        const user = ok ? await this.deps.user(endpoint.owner) : undefined;
        if (!user) {
          next(new MlflowError('UNAUTHENTICATED', "The workspace's tracking token is required (MLFLOW_TRACKING_TOKEN)"));
          return;
        }
        // The owner, with their own rights: a collaborator running code here logs as the owner.
        setIdentity(req, { user, via: 'token' });
        next();
      } catch (err) {
        next(err);
      }
    };
    app.use(MLFLOW_MOUNT, drainUnreadBody, auth, this.deps.mlflow);
    app.use((_req, _res, next) => next(new MlflowError('ENDPOINT_NOT_FOUND', `Only ${MLFLOW_MOUNT}/ is served to workspaces`)));
    app.use(mlflowErrorHandler(logger));
    return app;
  }
}
