import type { ErrorRequestHandler, Router } from 'express';
import type { ArtifactStore } from '../artifacts/store';
import type { Logger } from '../core/logger';
import type { RouteDoc } from '../core/openapi';
import type { Store } from '../store/store';
import { ExperimentsApi, type ModelVersionsOfRun } from './api';
import { createMlflowRouter } from './mlflow/router';
import { mlflowErrorHandler } from './mlflow/errors';
import { experimentRouteDocs, experimentRoutes } from './routes';
import { TrackingService } from './service';

export { TrackingService } from './service';
export { setStepScope } from './mlflow/body';

/** Where the MLflow REST API is mounted (MLFLOW_TRACKING_URI = <origin>/conveyor/mlflow). */
export const MLFLOW_MOUNT = '/conveyor/mlflow';

export interface TrackingModule {
  service: TrackingService;
  /** MLflow's tracking REST API and artifacts proxy; mount at MLFLOW_MOUNT behind the authenticator. */
  mlflowRouter: Router;
  /** Error handler for the mount (authentication failures in MLflow's shape). */
  mlflowErrors: ErrorRequestHandler;
  /** Conveyor's /experiments API, mounted under /conveyor/api/v1. */
  router: Router;
  docs: RouteDoc[];
  close(): Promise<void>;
}

/** Wires the tracking service, the MLflow router (with other modules' routers) and /experiments. */
export function createTrackingModule(opts: {
  store: Store;
  artifacts: ArtifactStore;
  logger: Logger;
  diffNotebooks: (a: unknown, b: unknown) => unknown;
  /** Routers of other modules served under the MLflow mount (the model registry). */
  extraRouters?: Router[];
  /** An existing service (so other modules can be built on it before the router). */
  service?: TrackingService;
  /** The model versions registered from a run (the registry's; tracking does not depend on it). */
  modelVersionsOf?: ModelVersionsOfRun;
}): TrackingModule {
  const logger = opts.logger.child({ module: 'tracking' });
  const service = opts.service ?? new TrackingService(opts.store);
  return {
    service,
    mlflowRouter: createMlflowRouter({ tracking: service, artifacts: opts.artifacts, logger, extraRouters: opts.extraRouters }),
    mlflowErrors: mlflowErrorHandler(logger),
    router: experimentRoutes(new ExperimentsApi(service, opts.artifacts, opts.modelVersionsOf), opts.diffNotebooks),
    docs: experimentRouteDocs,
    close: () => service.close()
  };
}
