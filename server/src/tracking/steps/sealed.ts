import type { Request, RequestHandler } from 'express';
import { bodyOf } from '../mlflow/body';
import { MlflowError } from '../mlflow/errors';

/** Whether a tracked run belongs to a sealed step (datasets/runs/ answers from the step's stored spec). */
export type IsSealed = (runUuid: string) => Promise<boolean>;

const METRICS_ONLY = /^\/api\/[23]\.0\/mlflow\/runs\/(log-metric|log-batch|update)$/;

const empty = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/**
 * On the step listener, before the step scope: a sealed step's token may read, and write only
 * metrics and the status of its own run (the step scope checks the run). Params, tags, run names,
 * artifacts, models and dataset inputs could carry the blinded data out, so they answer 403.
 */
export function sealedScope(isSealed: IsSealed, ownRun: (req: Request) => string): RequestHandler {
  return async (req, _res, next) => {
    let sealed: boolean;
    try {
      sealed = await isSealed(ownRun(req));
    } catch (err) {
      next(err);
      return;
    }
    if (!sealed) {
      next();
      return;
    }
    const method = req.method.toUpperCase();
    if (method === 'GET' || method === 'HEAD' || (method === 'POST' && /\/search$/.test(req.path))) {
      next();
      return;
    }
    const write = METRICS_ONLY.exec(req.path);
    const body = bodyOf(req);
    if (write && (write[1] !== 'log-batch' || (empty(body.params) && empty(body.tags))) && (write[1] !== 'update' || empty(body.run_name))) {
      next();
      return;
    }
    next(new MlflowError('PERMISSION_DENIED', 'This step reads blinded data: it may log metrics and its status only'));
  };
}
