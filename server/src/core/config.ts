import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { AppError } from './errors';

export type Mode = 'embedded' | 'team';

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  /** Embedded mode: the shared secret every request must carry. */
  secret?: string;
  dataDir: string;
  databaseUrl: string;
  exitOnStdinClose: boolean;
  logLevel: string;
  /** How often the websocket re-reads the engine state while clients are connected. */
  statusPollMs: number;
  /** Embedded mode: the user when the proxy sends no X-Conveyor-User. */
  defaultUser: string;
  /** CONVEYOR_WORKSPACE_DIR: the folder notebook and pipeline paths are relative to (default: the current directory). */
  workspaceDir?: string;
  /** CONVEYOR_DEFAULT_IMAGE: the image of steps that name none (default conveyor/base:dev). */
  defaultImage?: string;
  /** CONVEYOR_REGISTRY: host:port of the OCI image registry (default 127.0.0.1:5000). */
  registry?: string;
  /** CONVEYOR_STEP_NETWORK: the internal Docker network of step containers (default conveyor-steps). */
  stepNetwork?: string;
  /** CONVEYOR_TRACKING_PORT: the step-facing tracking listener's port (default: the saved one, else any). */
  trackingPort?: number;
}

export const DEFAULT_IMAGE = 'conveyor/base:dev';
export const DEFAULT_REGISTRY = '127.0.0.1:5000';

type Env = Record<string, string | undefined>;

function configError(message: string): AppError {
  return new AppError(500, 'invalid_config', message);
}

function parsePort(raw: string | undefined, name = 'CONVEYOR_PORT'): number {
  if (raw === undefined || raw === '') {
    return 8787;
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw configError(`${name} must be an integer 0-65535, got "${raw}"`);
  }
  return port;
}

/** Reads the companion configuration from the environment (see docs/architecture.md). */
export function loadConfig(env: Env = process.env, opts: { requireSecret?: boolean } = {}): Config {
  const rawMode = env.CONVEYOR_MODE ?? 'embedded';
  if (rawMode !== 'embedded' && rawMode !== 'team') {
    throw configError(`CONVEYOR_MODE must be "embedded" or "team", got "${rawMode}"`);
  }
  const mode: Mode = rawMode;
  const secret = env.CONVEYOR_SECRET || undefined;
  if (mode === 'embedded' && !secret && opts.requireSecret !== false) {
    throw configError('CONVEYOR_SECRET is required in embedded mode');
  }
  const dataDir = env.CONVEYOR_DATA_DIR || join(homedir(), '.local', 'share', 'conveyor');
  const databaseUrl = env.CONVEYOR_DATABASE_URL || `sqlite:${join(dataDir, 'conveyor.db')}`;
  const pollMs = Number(env.CONVEYOR_STATUS_POLL_MS ?? 5000);
  return {
    mode,
    // Embedded mode sits behind Jupyter: it never listens beyond the loopback interface.
    host: mode === 'embedded' ? '127.0.0.1' : env.CONVEYOR_HOST || '127.0.0.1',
    port: parsePort(env.CONVEYOR_PORT),
    secret,
    dataDir,
    databaseUrl,
    exitOnStdinClose: env.CONVEYOR_EXIT_ON_STDIN_CLOSE === '1',
    logLevel: env.CONVEYOR_LOG_LEVEL || 'info',
    statusPollMs: Number.isFinite(pollMs) && pollMs >= 50 ? pollMs : 5000,
    defaultUser: env.CONVEYOR_DEFAULT_USER || 'local',
    workspaceDir: resolve(env.CONVEYOR_WORKSPACE_DIR || process.cwd()),
    defaultImage: env.CONVEYOR_DEFAULT_IMAGE || DEFAULT_IMAGE,
    registry: env.CONVEYOR_REGISTRY || DEFAULT_REGISTRY,
    stepNetwork: env.CONVEYOR_STEP_NETWORK || undefined,
    trackingPort: env.CONVEYOR_TRACKING_PORT ? parsePort(env.CONVEYOR_TRACKING_PORT, 'CONVEYOR_TRACKING_PORT') : undefined
  };
}
