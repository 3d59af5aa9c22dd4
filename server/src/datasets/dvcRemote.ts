import { Router, type Request, type RequestHandler } from 'express';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { DatasetsService } from './service';

/** Where the DVC HTTP remote is mounted: `dvc remote add conveyor http://<host>/conveyor/dvc`. */
export const DVC_MOUNT = '/conveyor/dvc';
/** Largest object one upload may store. */
export const DVC_MAX_OBJECT = 1024 ** 4;

/**
 * DVC's HTTP remote protocol on the store: `HEAD`/`GET files/md5/<2>/<30>[.dir]` read an object
 * (only objects of versions the caller may read, never of blinded ones: 404 otherwise, so their
 * existence does not leak), `POST`/`PUT` store one (its md5 must be its name). Authenticated like
 * the API (behind Jupyter: `Authorization: token <jupyter token>` with `dvc remote modify … auth custom`).
 */
export function dvcRemoteRouter(service: DatasetsService, logger: Logger): Router {
  const router = Router();
  const log = logger.child({ module: 'datasets.dvc' });
  const objects = service.deps.objects;
  const idOf = (req: Request): string => {
    const a = String(req.params.a);
    const id = `${a}${String(req.params.b)}`;
    if (a.length !== 2) throw new AppError(400, 'invalid_object_id', `${JSON.stringify(`${a}/${String(req.params.b)}`)} is not files/md5/<2 hex>/<30 hex>`);
    objects.path(id); // 400 invalid_object_id
    return id;
  };
  const readable = async (req: Request, id: string): Promise<void> => {
    const user = identityOf(req).user.name;
    if (!(await service.manifests.readableObjects(service, user)).has(id)) {
      throw new AppError(404, 'object_not_found', `No object ${id} readable by ${user}`, { object: id });
    }
  };
  const read: RequestHandler = async (req, res) => {
    const id = idOf(req);
    await readable(req, id);
    if (req.method === 'HEAD') {
      const size = await objects.size(id);
      if (size === null) throw new AppError(404, 'object_missing', `Object ${id} is not in the dataset store`, { object: id });
      res.setHeader('Content-Length', String(size));
      res.status(200).end();
      return;
    }
    const opened = await objects.openVerified(id);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(opened.size));
    if (Buffer.isBuffer(opened.body)) {
      res.end(opened.body);
      return;
    }
    const stream = opened.body();
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
  const write: RequestHandler = async (req, res) => {
    const id = idOf(req);
    const user = identityOf(req).user.name;
    const length = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > DVC_MAX_OBJECT) {
      throw new AppError(413, 'too_large', `Objects are limited to ${DVC_MAX_OBJECT} bytes`);
    }
    const r = await objects.putStream(id, req, DVC_MAX_OBJECT);
    service.manifests.recordUpload(user, id);
    log.debug({ user, object: id, created: r.created, bytes: r.bytes }, 'dvc object stored');
    res.status(r.created ? 201 : 200).json({ object: id, created: r.created });
  };
  router.head('/files/md5/:a/:b', read);
  router.get('/files/md5/:a/:b', read);
  router.post('/files/md5/:a/:b', write);
  router.put('/files/md5/:a/:b', write);
  return router;
}
