import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type Request, type RequestHandler } from 'express';
import { setIdentity } from '../../auth/identity';
import type { Logger } from '../../core/logger';
import { drainUnreadBody } from '../../core/app';
import { requestLogger } from '../../core/requestLog';
import type { User } from '../../store/users';
import { mlflowBody, setStepScope } from '../mlflow/body';
import { MlflowError, mlflowErrorHandler } from '../mlflow/errors';
import { stepScope } from './scope';
import { sealedScope, type IsSealed } from './sealed';

export const MLFLOW_PREFIX = '/conveyor/mlflow';
const PORT_FILE = 'tracking-port';

export interface StepListenerDeps {
  logger: Logger;
  dataDir: string;
  /** CONVEYOR_TRACKING_PORT; undefined: the port saved in <dataDir>/tracking-port if free, else any. */
  port?: number;
  /** TrackingService.authenticateStepToken. */
  authenticate(token: string): Promise<{ owner: string; runUuid: string } | null>;
  user(name: string): Promise<User | undefined>;
  /** The MLflow REST router (tracking/mlflow/router.ts), mounted at /conveyor/mlflow. */
  mlflow: RequestHandler;
  /** Whether a token's run is a sealed step's (blinded data): metrics and status only. */
  sealed?: IsSealed;
}

const RUN = Symbol('conveyor.stepRun');
type StepRequest = Request & { [RUN]?: string };

/**
 * The step-facing listener: a second HTTP server bound to the step network's gateway address,
 * the one address step containers can reach. It serves `/conveyor/mlflow/*` only, and only to
 * per-step bearer tokens, each of which writes its own tracked run.
 */
export class StepListener {
  private server: Server | undefined;

  constructor(private readonly deps: StepListenerDeps) {}

  private app(): express.Express {
    const { logger } = this.deps;
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(requestLogger(logger));
    const auth: RequestHandler = async (req, _res, next) => {
      try {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        const found = match ? await this.deps.authenticate(match[1]) : null;
        const user = found ? await this.deps.user(found.owner) : undefined;
        if (!found || !user) {
          next(new MlflowError('UNAUTHENTICATED', 'A step token is required (MLFLOW_TRACKING_TOKEN)'));
          return;
        }
        setIdentity(req, { user, via: 'token' });
        setStepScope(req, found.runUuid);
        (req as StepRequest)[RUN] = found.runUuid;
        next();
      } catch (err) {
        next(err);
      }
    };
    // The MLflow reader (NaN-tolerant, MLflow's limit) before the scope check reads run_id; artifact
    // bodies stream on to the router untouched.
    const bodyUnlessArtifact: RequestHandler = (req, res, next) =>
      req.path.startsWith('/api/2.0/mlflow-artifacts/') ? next() : mlflowBody(req, res, next);
    const own = (req: express.Request): string => (req as StepRequest)[RUN] ?? '';
    // Sealed steps (blinded data mounted, datasets/blinding/) may only log metrics.
    const sealed: RequestHandler = this.deps.sealed ? sealedScope(this.deps.sealed, own) : (_req, _res, next) => next();
    app.use(MLFLOW_PREFIX, drainUnreadBody, auth, bodyUnlessArtifact, sealed, stepScope(own), this.deps.mlflow);
    app.use((_req, _res, next) => next(new MlflowError('ENDPOINT_NOT_FOUND', 'Only /conveyor/mlflow/ is served to steps')));
    app.use(mlflowErrorHandler(logger));
    return app;
  }

  /** Listens on `host`; answers the port (saved for the next start, so surviving containers keep working). */
  async start(host: string): Promise<number> {
    const wanted = this.deps.port ?? (await this.savedPort());
    const server = createServer(this.app());
    let port: number;
    try {
      port = await listen(server, host, wanted ?? 0);
    } catch (err) {
      if (this.deps.port !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      this.deps.logger.warn({ port: wanted }, 'the saved tracking port is taken: steps started before this restart cannot log');
      port = await listen(server, host, 0);
    }
    this.server = server;
    await this.savePort(port);
    return port;
  }

  private async savedPort(): Promise<number | undefined> {
    const text = await readFile(join(this.deps.dataDir, PORT_FILE), 'utf8').catch(() => '');
    const port = Number(text.trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  }

  private async savePort(port: number): Promise<void> {
    await mkdir(this.deps.dataDir, { recursive: true });
    const file = join(this.deps.dataDir, PORT_FILE);
    await writeFile(`${file}.tmp`, `${port}\n`);
    await rename(`${file}.tmp`, file);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
