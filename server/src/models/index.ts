import type { Request, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from '../core/logger';
import type { RouteDoc } from '../core/openapi';
import type { Database } from '../store/database';
import { modelsMlflowRouter } from './mlflow';
import { modelRouteDocs, modelRoutes, ModelsApi } from './routes';
import type { RunReader } from './runs';
import { ModelService } from './service';
import { VersionService } from './versions';

export type { RunReader } from './runs';

export interface ModelsModule {
  service: ModelService;
  versions: VersionService;
  /** MLflow's registry API; pass it to createMlflowRouter({ extraRouters }). */
  mlflowRouter: Router;
  /** Conveyor's /models API, mounted under /conveyor/api/v1. */
  router: Router;
  docs: RouteDoc[];
}

/** The model registry: store queries, service, MLflow routes and Conveyor routes. */
export function createModelsModule(opts: {
  db: Kysely<Database>;
  /** The tracking service: source runs are read through it, visibility-checked. */
  tracking: RunReader;
  logger: Logger;
  /** Who calls the MLflow routes, when the MLflow router authenticates differently (step tokens). */
  userOf?: (req: Request) => string;
}): ModelsModule {
  const logger = opts.logger.child({ module: 'models' });
  const service = new ModelService({ db: opts.db, runs: opts.tracking });
  const versions = new VersionService(service);
  return {
    service,
    versions,
    mlflowRouter: modelsMlflowRouter({ models: service, versions, logger, userOf: opts.userOf }),
    router: modelRoutes(new ModelsApi(service)),
    docs: modelRouteDocs
  };
}
