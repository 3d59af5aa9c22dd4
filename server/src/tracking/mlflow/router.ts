import { Router, type ErrorRequestHandler } from 'express';
import type { ArtifactStore } from '../../artifacts/store';
import type { Logger } from '../../core/logger';
import type { TrackingService } from '../service';
import { artifactRoutes } from './artifacts';
import { mlflowBody } from './body';
import { MlflowError, mlflowErrorHandler } from './errors';
import { experimentRoutes } from './experimentRoutes';
import { loggedModelArtifactRoutes, loggedModelRoutes } from '../loggedModels';
import { runRoutes } from './runRoutes';

/**
 * MLflow's tracking REST API, mounted at /conveyor/mlflow behind the normal authenticator:
 * /api/2.0/mlflow/{experiments,runs,metrics}/*, the artifacts proxy, /api/3.0/mlflow/server-info
 * and the routers of other modules (`extraRouters`: the model registry), which see the parsed
 * body through `bodyOf(req)` and the caller through `callerOf(req)`.
 */
export function createMlflowRouter(opts: { tracking: TrackingService; artifacts: ArtifactStore; logger: Logger; extraRouters?: Router[] }): Router {
  const router = Router();
  // Artifacts stream their bodies: they come before the JSON reader.
  router.use(loggedModelArtifactRoutes(opts.tracking.loggedModels, opts.artifacts), artifactRoutes(opts.tracking, opts.artifacts));
  router.get('/api/3.0/mlflow/server-info', (_req, res) => {
    res.json({ store_type: 'SqlStore', workspaces_enabled: false, multipart_uploads_enabled: false, multipart_downloads_enabled: false });
  });
  router.use(mlflowBody);
  const api = [experimentRoutes(opts.tracking), loggedModelRoutes(opts.tracking), runRoutes(opts.tracking)];
  router.use('/api/2.0/mlflow', ...api);
  router.use('/ajax-api/2.0/mlflow', ...api);
  for (const extra of opts.extraRouters ?? []) {
    router.use(extra);
  }
  router.use((req, _res, next) => {
    next(new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.path}`));
  });
  router.use(mlflowErrorHandler(opts.logger));
  return router;
}

/** The error handler for failures before the router (authentication), in MLflow's shape. */
export function mlflowMountErrorHandler(logger: Logger): ErrorRequestHandler {
  return mlflowErrorHandler(logger);
}
