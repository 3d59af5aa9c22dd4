import type { Request, RequestHandler } from 'express';
import { bodyOf } from '../mlflow/body';
import { MlflowError } from '../mlflow/errors';

/** Writes that name their run in the JSON body (`run_id` or the older `run_uuid`). */
const RUN_WRITES = new Set([
  'update',
  'log-metric',
  'log-batch',
  'log-parameter',
  'set-tag',
  'delete-tag',
  'log-inputs',
  'log-outputs',
  'log-model'
]);

const RUN_WRITE = /^\/api\/[23]\.0\/mlflow\/runs\/([a-z-]+)$/;
const ARTIFACT = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/([^/]+)\/([^/]+)\/artifacts(?:\/|$)/;
const SEARCH = /^\/api\/[23]\.0\/mlflow\/[a-z-]+\/search$/;
/** What `mlflow.register_model` from a step needs; the registry lets a step register its own run only. */
const REGISTER = /^\/api\/2\.0\/mlflow\/(registered-models|model-versions)\/create$/;

function bodyRun(req: Request): unknown {
  const body = bodyOf(req);
  return body.run_id ?? body.run_uuid;
}

/**
 * What a step token may do, given the run it was minted for: read what its owner can read, and
 * write only that run (its params, metrics, tags, status and artifacts). Everything else is 403
 * PERMISSION_DENIED: a step cannot create experiments or runs, or touch another run. Of the model
 * registry it may create a model and register a version, of its own run only (models/versions.ts).
 */
export function stepScope(ownRun: (req: Request) => string): RequestHandler {
  return (req, _res, next) => {
    const own = ownRun(req);
    const method = req.method.toUpperCase();
    const path = req.path;
    const artifact = ARTIFACT.exec(path);
    if (artifact) {
      if (method === 'GET' || method === 'HEAD' || decodeURIComponent(artifact[2]) === own) {
        next();
        return;
      }
      next(new MlflowError('PERMISSION_DENIED', 'A step may write artifacts of its own run only'));
      return;
    }
    if (method === 'GET' || method === 'HEAD' || (method === 'POST' && (SEARCH.test(path) || REGISTER.test(path)))) {
      next();
      return;
    }
    const write = RUN_WRITE.exec(path);
    if (write && RUN_WRITES.has(write[1])) {
      if (bodyRun(req) === own) {
        next();
        return;
      }
      next(new MlflowError('PERMISSION_DENIED', `A step may write its own run (${own}) only`));
      return;
    }
    next(new MlflowError('PERMISSION_DENIED', 'A step may read, and write its own run; nothing else'));
  };
}
