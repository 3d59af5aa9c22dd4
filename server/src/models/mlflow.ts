import express, { Router, type Request } from 'express';
import { identityOf } from '../auth/identity';
import type { Logger } from '../core/logger';
import { callerOf } from '../tracking/mlflow/body';
import { mlflowErrorHandler } from '../tracking/mlflow/errors';
import type { ModelService } from './service';
import type { VersionService } from './versions';

export interface ModelsMlflowDeps {
  models: ModelService;
  versions: VersionService;
  logger: Logger;
  /** Who is calling; the authenticated user unless the MLflow router says otherwise. */
  userOf?: (req: Request) => string;
}

type Body = Record<string, unknown>;

/**
 * MLflow's model registry REST API (mlflow/protos/model_registry.proto), mounted by the tracking
 * module's MLflow router under `/conveyor/mlflow`: GET carries its fields in the query string,
 * the other verbs a JSON body. Errors in MLflow's shape.
 */
export function modelsMlflowRouter(deps: ModelsMlflowDeps): Router {
  const { models, versions } = deps;
  const userOf = deps.userOf ?? ((req: Request) => identityOf(req).user.name);
  const router = Router();
  // `/ajax-api/` is the prefix MLflow's own web UI uses for the same endpoints.
  const bases = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'];
  // Only the registry's own paths: artifact uploads through the same router must stay streams.
  const json = express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] });
  router.use(
    bases.flatMap(base => [`${base}/registered-models`, `${base}/model-versions`]),
    json
  );
  const input = (req: Request): Body => (req.method === 'GET' ? (req.query as Body) : ((req.body ?? {}) as Body));
  const route = (method: 'get' | 'post' | 'patch' | 'delete', path: string, handle: (user: string, b: Body, req: Request) => Promise<unknown>) => {
    const paths = bases.map(base => `${base}/${path}`);
    router[method](paths, async (req, res) => {
      const body = input(req);
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        res.status(400).json({ error_code: 'MALFORMED_REQUEST', message: 'The request body must be a JSON object' });
        return;
      }
      res.json((await handle(userOf(req), body, req)) ?? {});
    });
  };

  // Registered models
  route('post', 'registered-models/create', async (u, b) => ({ registered_model: await models.createModel(u, b) }));
  route('get', 'registered-models/get', async (u, b) => ({ registered_model: await models.getModel(u, b.name) }));
  route('post', 'registered-models/rename', async (u, b) => ({ registered_model: await models.renameModel(u, b.name, b.new_name) }));
  route('patch', 'registered-models/update', async (u, b) => ({ registered_model: await models.updateModel(u, b.name, b.description) }));
  route('delete', 'registered-models/delete', async (u, b) => models.deleteModel(u, b.name));
  route('get', 'registered-models/search', async (u, b) => models.searchModels(u, b));
  route('post', 'registered-models/get-latest-versions', async (u, b) => ({ model_versions: await models.latestVersions(u, b.name, b.stages) }));
  route('get', 'registered-models/get-latest-versions', async (u, b) => ({ model_versions: await models.latestVersions(u, b.name, b.stages) }));
  route('post', 'registered-models/set-tag', async (u, b) => models.setModelTag(u, b.name, b.key, b.value));
  route('delete', 'registered-models/delete-tag', async (u, b) => models.deleteModelTag(u, b.name, b.key));
  route('post', 'registered-models/alias', async (u, b) => models.setAlias(u, b.name, b.alias, b.version));
  route('delete', 'registered-models/alias', async (u, b) => models.deleteAlias(u, b.name, b.alias));
  route('get', 'registered-models/alias', async (u, b) => ({ model_version: await models.versionByAlias(u, b.name, b.alias) }));

  // Model versions
  // A step token (scoped to its run) registers versions of that run only.
  route('post', 'model-versions/create', async (u, b, req) => ({ model_version: await versions.create(u, b, callerOf(req).onlyRun) }));
  route('get', 'model-versions/get', async (u, b) => ({ model_version: await versions.get(u, b.name, b.version) }));
  route('patch', 'model-versions/update', async (u, b) => ({ model_version: await versions.update(u, b.name, b.version, b.description) }));
  route('delete', 'model-versions/delete', async (u, b) => versions.delete(u, b.name, b.version));
  route('get', 'model-versions/search', async (u, b) => versions.search(u, b));
  route('get', 'model-versions/get-download-uri', async (u, b) => ({ artifact_uri: await versions.downloadUri(u, b.name, b.version) }));
  route('post', 'model-versions/set-tag', async (u, b) => versions.setTag(u, b.name, b.version, b.key, b.value));
  route('delete', 'model-versions/delete-tag', async (u, b) => versions.deleteTag(u, b.name, b.version, b.key));
  route('post', 'model-versions/transition-stage', async (u, b) => ({
    model_version: await versions.transition(u, b.name, b.version, b.stage, b.archive_existing_versions)
  }));

  router.use(mlflowErrorHandler(deps.logger));
  return router;
}
