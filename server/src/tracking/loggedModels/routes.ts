import { Router, type Request } from 'express';
import { bodyOf, callerOf, runIdOf } from '../mlflow/body';
import { MlflowError } from '../mlflow/errors';
import type { TrackingService } from '../service';
import { searchLoggedModels } from './search';

/**
 * MLflow 3's logged-models API (service.proto: CreateLoggedModel, GetLoggedModel,
 * FinalizeLoggedModel, DeleteLoggedModel, SearchLoggedModels, LogLoggedModelParamsRequest,
 * SetLoggedModelTags, DeleteLoggedModelTag, LogOutputs), mounted under /api/2.0/mlflow; and
 * `runs/get` answering the run's model outputs, which `register_model("runs:/…")` reads.
 */
export function loggedModelRoutes(tracking: TrackingService): Router {
  const router = Router();
  const models = tracking.loggedModels;
  const id = (req: Request): string => String(req.params.model_id);

  router.post('/logged-models', async (req, res) => {
    res.json({ model: await models.one(await models.create(callerOf(req), bodyOf(req))) });
  });
  router.post('/logged-models/search', async (req, res) => {
    res.json(await searchLoggedModels(models, tracking.access, callerOf(req).user, bodyOf(req)));
  });
  router.get('/logged-models/:model_id', async (req, res) => {
    const allow = bodyOf(req).allow_deleted;
    const { model } = await models.readable(callerOf(req).user, id(req), allow === 'true' || allow === true);
    res.json({ model: await models.one(model) });
  });
  router.patch('/logged-models/:model_id', async (req, res) => {
    res.json({ model: await models.one(await models.finalize(callerOf(req), id(req), bodyOf(req).status)) });
  });
  router.delete('/logged-models/:model_id', async (req, res) => {
    await models.delete(callerOf(req), id(req));
    res.json({});
  });
  router.post('/logged-models/:model_id/params', async (req, res) => {
    await models.logParams(callerOf(req), id(req), bodyOf(req).params);
    res.json({});
  });
  router.patch('/logged-models/:model_id/tags', async (req, res) => {
    await models.setTags(callerOf(req), id(req), bodyOf(req).tags);
    const { model } = await models.readable(callerOf(req).user, id(req));
    res.json({ model: await models.one(model) });
  });
  router.delete('/logged-models/:model_id/tags/:tag_key', async (req, res) => {
    await models.deleteTag(callerOf(req), id(req), String(req.params.tag_key));
    res.json({});
  });
  router.post('/runs/outputs', async (req, res) => {
    const body = bodyOf(req);
    await models.logOutputs(callerOf(req), runIdOf(body), body.models);
    res.json({});
  });
  router.get('/runs/get', async (req, res) => {
    const runId = runIdOf(bodyOf(req));
    const run = await tracking.getRun(callerOf(req).user, runId);
    const outputs = await models.outputsOf(runId);
    res.json({ run: outputs.length ? { ...run, outputs: { model_outputs: outputs } } : run });
  });
  router.all('/logged-models/:model_id/*rest', (req, _res, next) => {
    next(new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.path}`));
  });
  return router;
}
