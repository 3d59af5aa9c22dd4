import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import type { ArtifactStore } from '../artifacts/store';
import type { EventHub } from '../events/hub';
import type { LogStore } from '../logs/store';
import type { ProfileService } from '../resources/profiles';
import type { ResourcesService } from '../resources/service';
import type { Scheduler } from '../runs/scheduler';
import type { RunService } from '../runs/service';
import type { Runtime } from '../runtime/runtime';
import type { Store } from '../store/store';
import type { TrackingService } from '../tracking';
import type { ServerEvent } from '../../../schema/generated/api';
import type { Config } from './config';
import type { Logger } from './logger';
import type { RouteDoc } from './openapi';

/**
 * What server.ts hands every feature module built with `create<Feature>Module(deps)`.
 * A module takes what it needs and ignores the rest.
 */
export interface FeatureDeps {
  config: Config;
  logger: Logger;
  store: Store;
  /** The engine as runs see it (registry images resolved to digests). */
  runtime: Runtime;
  artifacts: ArtifactStore;
  logs: LogStore;
  /** Pushes an event to one user's websocket clients. */
  events: { publish(user: string, event: ServerEvent): void };
  hub(): EventHub | undefined;
  profiles: ProfileService;
  resources: ResourcesService;
  scheduler: Scheduler;
  runs: RunService;
  tracking: TrackingService;
  /** The folder the user's files live in (CONVEYOR_WORKSPACE_DIR, else the server's cwd). */
  workspaceDir: string;
}

/** What a feature module gives back to server.ts. */
export interface FeatureModule {
  /** Mounted under /conveyor/api/v1 behind the auth middleware and the JSON body parser. */
  router?: Router;
  docs?: RouteDoc[];
  /** Mounts outside the API prefix, each with its own auth and body handling. */
  mounts?: { path: string; handlers: (RequestHandler | ErrorRequestHandler)[] }[];
  /** Called once after the HTTP server is built, before it listens (recovery after a crash). */
  start?(): Promise<void>;
  /** Called on shutdown before the store closes. */
  close?(): Promise<void>;
}
