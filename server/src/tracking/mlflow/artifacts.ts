import { Transform } from 'node:stream';
import { Router, type Request } from 'express';
import type { ArtifactStore } from '../../artifacts/store';
import { checkArtifactPath, type TrackingService } from '../service';
import { callerOf } from './body';
import { MlflowError } from './errors';

export const DEFAULT_MAX_ARTIFACT_BYTES = 5 * 1024 ** 3;

export function maxArtifactBytes(): number {
  const v = Number(process.env.CONVEYOR_MAX_ARTIFACT_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_ARTIFACT_BYTES;
}

/** `<exp>/<run>/artifacts[/<path>]` → its parts; anything else is not one of our artifact locations. */
function locate(raw: string): { experimentId: string; runUuid: string; path: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/^\/+/, ''));
  } catch {
    throw MlflowError.invalid('The artifact path is not valid URL encoding');
  }
  if (decoded.includes('\0')) throw MlflowError.invalid('The artifact path must not contain NUL characters');
  const m = /^(\d{1,15})\/([0-9a-f]{32})\/artifacts(?:\/(.*))?$/.exec(decoded);
  if (!m) throw MlflowError.notFound(`No artifact location ${JSON.stringify(decoded)}`);
  return { experimentId: m[1], runUuid: m[2], path: m[3] ?? '' };
}

/**
 * The MLflow artifacts proxy (/api/2.0/mlflow-artifacts/artifacts): PUT streams bytes into the
 * content-addressed ArtifactStore (atomic, size-limited) and names them; GET downloads; GET on the
 * root with ?path= lists one level; DELETE forgets names.
 */
export function artifactRoutes(tracking: TrackingService, artifacts: ArtifactStore): Router {
  const router = Router();

  async function run(req: Request, loc: { experimentId: string; runUuid: string }, write: boolean): Promise<void> {
    const caller = callerOf(req);
    const found = write ? await tracking.access.writableRun(caller, loc.runUuid) : await tracking.access.readableRun(caller.user, loc.runUuid);
    if (String(found.run.experiment_id) !== loc.experimentId) throw MlflowError.notFound(`Run with id=${loc.runUuid} not found`);
  }

  router.get('/api/2.0/mlflow-artifacts/artifacts', async (req, res) => {
    const path = typeof req.query.path === 'string' ? req.query.path : '';
    const loc = locate(path);
    await run(req, loc, false);
    const prefix = loc.path.replace(/\/+$/, '');
    const files = await tracking.listArtifacts(loc.runUuid, prefix);
    const base = prefix ? `${prefix}/` : '';
    res.json({ files: files.map(f => ({ ...f, path: f.path.slice(base.length) })) });
  });

  router.use('/api/2.0/mlflow-artifacts/artifacts', async (req, res, next) => {
    if (req.path === '/' || req.path === '') {
      next();
      return;
    }
    const loc = locate(req.path);
    if (req.method === 'PUT') {
      await run(req, loc, true);
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
      await tracking.putArtifact(loc.runUuid, path, stored.hash, stored.size);
      res.json({});
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      await run(req, loc, false);
      const found = await tracking.artifact(loc.runUuid, loc.path);
      if (!found) throw MlflowError.notFound(`No artifact ${JSON.stringify(loc.path)} in run ${loc.runUuid}`);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', String(found.size));
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = artifacts.get(found.hash);
      stream.on('error', err => res.destroy(err as Error));
      stream.pipe(res);
      return;
    }
    if (req.method === 'DELETE') {
      await run(req, loc, true);
      const prefix = loc.path.replace(/\/+$/, '');
      await tracking.sql.run('delete from tracked_artifacts where run_uuid = ? and (path = ? or substr(path, 1, ?) = ?)', [loc.runUuid, prefix, prefix.length + 1, `${prefix}/`]);
      res.json({});
      return;
    }
    throw new MlflowError('ENDPOINT_NOT_FOUND', `${req.method} is not supported on artifacts`);
  });
  return router;
}
