import { Router } from 'express';
import { checkKey, checkKeyValue, checkMetric, LIMITS } from '../limits';
import { checkBatchSize } from '../logging';
import type { TrackingService } from '../service';
import { runInfo } from '../runs';
import { bodyOf, callerOf, runIdOf } from './body';
import { MlflowError } from './errors';

function listOf(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw MlflowError.invalid(`Invalid value for parameter '${name}': it must be a list`);
  return value;
}

/** /api/2.0/mlflow/runs/* and metrics/get-history. */
export function runRoutes(tracking: TrackingService): Router {
  const router = Router();
  const runs = tracking.runs;

  router.post('/runs/create', async (req, res) => {
    const run = await runs.createFor(callerOf(req), bodyOf(req));
    res.json({ run: await runs.mlflowRun(run) });
  });
  router.get('/runs/get', async (req, res) => {
    res.json({ run: await tracking.getRun(callerOf(req).user, runIdOf(bodyOf(req))) });
  });
  router.post('/runs/update', async (req, res) => {
    const body = bodyOf(req);
    res.json({ run_info: runInfo(await runs.update(callerOf(req), runIdOf(body), body)) });
  });
  router.post('/runs/delete', async (req, res) => {
    await runs.setLifecycle(callerOf(req), runIdOf(bodyOf(req)), 'deleted');
    res.json({});
  });
  router.post('/runs/restore', async (req, res) => {
    await runs.setLifecycle(callerOf(req), runIdOf(bodyOf(req)), 'active');
    res.json({});
  });
  router.post('/runs/search', async (req, res) => {
    res.json(await tracking.search.mlflowSearch(callerOf(req).user, bodyOf(req)));
  });
  router.get('/runs/search', async (req, res) => {
    res.json(await tracking.search.mlflowSearch(callerOf(req).user, bodyOf(req)));
  });
  router.post('/runs/log-metric', async (req, res) => {
    const body = bodyOf(req);
    await runs.logFor(callerOf(req), runIdOf(body), { metrics: [checkMetric(body, 'metric', Date.now())] });
    res.json({});
  });
  router.post('/runs/log-parameter', async (req, res) => {
    const body = bodyOf(req);
    await runs.logFor(callerOf(req), runIdOf(body), { params: [checkKeyValue(body, 'param', LIMITS.paramValue)] });
    res.json({});
  });
  router.post('/runs/set-tag', async (req, res) => {
    const body = bodyOf(req);
    await runs.logFor(callerOf(req), runIdOf(body), { tags: [checkKeyValue(body, 'tag', LIMITS.tagValue)] });
    res.json({});
  });
  router.post('/runs/delete-tag', async (req, res) => {
    const body = bodyOf(req);
    await runs.deleteTag(callerOf(req), runIdOf(body), body.key);
    res.json({});
  });
  router.post('/runs/log-batch', async (req, res) => {
    const body = bodyOf(req);
    const now = Date.now();
    const metrics = listOf(body.metrics, 'metrics');
    const params = listOf(body.params, 'params');
    const tags = listOf(body.tags, 'tags');
    // Counts first: an oversized batch is refused before its entries are read.
    checkBatchSize({ metrics: metrics as never[], params: params as never[], tags: tags as never[] });
    await runs.logFor(callerOf(req), runIdOf(body), {
      metrics: metrics.map((m, i) => checkMetric(m, `metrics[${i}]`, now)),
      params: params.map((p, i) => checkKeyValue(p, `params[${i}]`, LIMITS.paramValue)),
      tags: tags.map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.tagValue))
    });
    res.json({});
  });
  router.post('/runs/log-inputs', async (req, res) => {
    const body = bodyOf(req);
    await runs.logInputs(callerOf(req), runIdOf(body), body.datasets);
    res.json({});
  });
  router.get('/metrics/get-history', async (req, res) => {
    const body = bodyOf(req);
    const runId = runIdOf(body);
    const key = checkKey(body.metric_key, 'metric_key');
    await tracking.access.readableRun(callerOf(req).user, runId);
    const max = body.max_results === undefined ? 25000 : Number(body.max_results);
    if (!Number.isInteger(max) || max < 1 || max > 25000) throw MlflowError.invalid(`Invalid value ${String(body.max_results)} for parameter 'max_results' supplied.`);
    const offset = body.page_token ? Number(Buffer.from(String(body.page_token), 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw MlflowError.invalid('Invalid page token');
    const metrics = await runs.history(runId, key, offset, max + 1);
    const more = metrics.length > max;
    res.json({
      metrics: more ? metrics.slice(0, max) : metrics,
      ...(more ? { next_page_token: Buffer.from(String(offset + max)).toString('base64url') } : {})
    });
  });
  return router;
}
