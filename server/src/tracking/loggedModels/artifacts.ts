import { Transform } from 'node:stream';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ArtifactStore } from '../../artifacts/store';
import { maxArtifactBytes } from '../mlflow/artifacts';
import { callerOf } from '../mlflow/body';
import { MlflowError } from '../mlflow/errors';
import { checkArtifactPath } from '../service';
import { num } from '../sql';
import type { LoggedModels } from './service';

const PREFIX = '/api/2.0/mlflow-artifacts/artifacts';
const MODEL_PATH = /^(\d{1,15})\/models\/(m-[0-9a-f]{32})\/artifacts(?:\/(.*))?$/;

/** `<exp>/models/<model_id>/artifacts[/<path>]` → its parts, or null (then it is a run's path). */
function locate(raw: string): { experimentId: string; modelId: string; path: string } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/^\/+/, ''));
  } catch {
    return null;
  }
  const m = MODEL_PATH.exec(decoded);
  return m ? { experimentId: m[1], modelId: m[2], path: m[3] ?? '' } : null;
}

/**
 * The artifacts proxy for logged models, in front of the runs' one: files under
 * `mlflow-artifacts:/<exp>/models/<model_id>/artifacts` are PUT (streamed into the
 * content-addressed ArtifactStore, size-limited), listed, read and deleted under the model's
 * rules. Any other path goes on to the runs' proxy.
 */
export function loggedModelArtifactRoutes(models: LoggedModels, artifacts: ArtifactStore): Router {
  const router = Router();

  async function model(req: Request, loc: { experimentId: string; modelId: string }, write: boolean): Promise<string> {
    const caller = callerOf(req);
    const found = write ? await models.writable(caller, loc.modelId) : (await models.readable(caller.user, loc.modelId)).model;
    if (String(found.experiment_id) !== loc.experimentId) throw MlflowError.notFound(`Logged model with ID '${loc.modelId}' not found.`);
    return found.model_id;
  }

  router.get(PREFIX, async (req: Request, res: Response, next: NextFunction) => {
    const loc = typeof req.query.path === 'string' ? locate(req.query.path) : null;
    if (!loc) {
      next();
      return;
    }
    const id = await model(req, loc, false);
    const prefix = loc.path.replace(/\/+$/, '');
    const base = prefix ? `${prefix}/` : '';
    const rows = await models.sql.all<{ path: string; size: unknown }>(
      'select path, size from logged_model_artifacts where model_id = ? and substr(path, 1, ?) = ? order by path',
      [id, base.length, base]
    );
    const out = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
    for (const r of rows) {
      const rest = r.path.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash < 0) out.set(rest, { path: rest, is_dir: false, file_size: num(r.size) });
      else out.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
    }
    res.json({ files: [...out.values()] });
  });

  router.use(PREFIX, async (req: Request, res: Response, next: NextFunction) => {
    const loc = req.path === '/' || req.path === '' ? null : locate(req.path);
    if (!loc) {
      next();
      return;
    }
    if (req.method === 'PUT') {
      const id = await model(req, loc, true);
      const path = checkArtifactPath(loc.path);
      const limit = maxArtifactBytes();
      if (Number(req.headers['content-length'] ?? 0) > limit) {
        req.resume();
        throw new MlflowError('REQUEST_LIMIT_EXCEEDED', `The artifact exceeds the limit of ${limit} bytes`);
      }
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > limit) done(new MlflowError('REQUEST_LIMIT_EXCEEDED', `The artifact exceeds the limit of ${limit} bytes`));
          else done(null, chunk);
        }
      });
      const stored = await artifacts.put(req.pipe(counter));
      await models.sql.run(
        'insert into logged_model_artifacts (model_id, path, hash, size, created_at) values (?, ?, ?, ?, ?) on conflict (model_id, path) do update set hash = excluded.hash, size = excluded.size, created_at = excluded.created_at',
        [id, path, stored.hash, stored.size, Date.now()]
      );
      res.json({});
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const id = await model(req, loc, false);
      const rows = await models.sql.all<{ hash: string; size: unknown }>('select hash, size from logged_model_artifacts where model_id = ? and path = ?', [id, loc.path]);
      if (!rows[0]) throw MlflowError.notFound(`No artifact ${JSON.stringify(loc.path)} in logged model ${id}`);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', String(num(rows[0].size)));
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = artifacts.get(rows[0].hash);
      stream.on('error', err => res.destroy(err as Error));
      stream.pipe(res);
      return;
    }
    if (req.method === 'DELETE') {
      const id = await model(req, loc, true);
      const prefix = loc.path.replace(/\/+$/, '');
      await models.sql.run('delete from logged_model_artifacts where model_id = ? and (path = ? or substr(path, 1, ?) = ?)', [id, prefix, prefix.length + 1, `${prefix}/`]);
      res.json({});
      return;
    }
    throw new MlflowError('ENDPOINT_NOT_FOUND', `${req.method} is not supported on artifacts`);
  });
  return router;
}
