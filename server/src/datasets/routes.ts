import { Router, type Request, type Response } from 'express';
import type { DatasetAdd, DatasetAddEvent, DatasetShares, DatasetTag } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError, isAppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import type { DatasetReader } from './read';
import type { DatasetsService } from './service';

const P = '/datasets/{owner}/{name}';
export const datasetRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/datasets',
    summary: 'Datasets the caller owns or that are shared with them',
    response: 'dataset-list.json'
  },
  {
    method: 'post',
    path: '/datasets/versions',
    summary: 'Add a version from a workspace path or from objects pushed by DVC (md5); Accept: application/x-ndjson streams progress',
    request: 'dataset-add.json',
    response: 'dataset-version.json',
    status: 201
  },
  {
    method: 'get',
    path: P,
    summary: 'A dataset and its versions, newest first',
    response: 'dataset.json'
  },
  {
    method: 'get',
    path: `${P}/versions/{ref}`,
    summary: 'One version (ref = version id or tag)',
    response: 'dataset-version.json'
  },
  {
    method: 'get',
    path: `${P}/versions/{ref}/files`,
    summary: "The version's files (?prefix=&limit=)",
    response: 'dataset-files.json'
  },
  {
    method: 'get',
    path: `${P}/versions/{ref}/files/{path}`,
    summary: "One file's bytes, verified by md5",
    response: { inline: { type: 'string', format: 'binary' } }
  },
  {
    method: 'get',
    path: `${P}/versions/{ref}/preview`,
    summary: 'A table version: schema, stats and a page of rows (?limit=, ?offset=)',
    response: { inline: { type: 'object' } }
  },
  {
    method: 'get',
    path: `${P}/diff`,
    summary: 'Files added, removed, changed between ?from= and ?to= (ids or tags)',
    response: 'dataset-diff.json'
  },
  {
    method: 'put',
    path: `${P}/tags/{tag}`,
    summary: 'Point a tag at a version',
    request: 'dataset-tag.json',
    response: 'dataset-version.json'
  },
  {
    method: 'delete',
    path: `${P}/tags/{tag}`,
    summary: 'Remove a tag',
    status: 204
  },
  {
    method: 'put',
    path: `${P}/shares`,
    summary: 'Share an own dataset for reading ("*" = everyone)',
    request: 'dataset-shares.json',
    response: 'dataset.json'
  },
  {
    method: 'get',
    path: `${P}/lineage`,
    summary: 'Runs that read or produced its versions',
    response: { inline: { type: 'object' } }
  }
];

function str(v: unknown, name: string, fallback?: string): string {
  if (typeof v === 'string') return v;
  if (fallback !== undefined && v === undefined) return fallback;
  throw AppError.invalid(`The query parameter ${name} is required (one value)`);
}

function wantsNdjson(req: Request): boolean {
  return (req.headers.accept ?? '').includes('application/x-ndjson');
}

/** POST /datasets/versions with NDJSON progress: headers go out with the first line, so early errors stay plain 4xx. */
async function addStreaming(service: DatasetsService, req: Request, res: Response): Promise<void> {
  const user = identityOf(req).user;
  let started = false;
  const line = (event: DatasetAddEvent) => {
    if (!started) {
      started = true;
      res.status(200).setHeader('Content-Type', 'application/x-ndjson');
      res.setHeader('Cache-Control', 'no-store');
    }
    res.write(`${JSON.stringify(event)}\n`);
  };
  try {
    const r = await service.add(user, req.body as DatasetAdd, p => line({ type: 'progress', ...p }));
    line({ type: 'done', version: r.version, unchanged: r.unchanged });
    res.end();
  } catch (err) {
    if (!started) throw err;
    const e = isAppError(err) ? err : new AppError(500, 'internal', 'Adding the version failed');
    line({
      type: 'error',
      error: {
        code: e.code,
        message: e.message,
        ...(e.details === undefined ? {} : { details: e.details })
      }
    });
    res.end();
  }
}

export function datasetRoutes(service: DatasetsService, reader: DatasetReader): Router {
  const router = Router();
  const who = (req: Request) => identityOf(req).user;
  const p = (req: Request, k: string) => String(req.params[k]);
  router.get('/datasets', async (req, res) => {
    const rows = await service.q.listVisible(who(req).name);
    res.json({ datasets: await service.summaries(who(req).name, rows) });
  });
  router.post('/datasets/versions', validateBody('dataset-add.json'), async (req, res) => {
    if (wantsNdjson(req)) return addStreaming(service, req, res);
    const r = await service.add(who(req), req.body as DatasetAdd);
    res.status(r.unchanged ? 200 : 201).json(r.version);
  });
  router.get('/datasets/:owner/:name', async (req, res) => {
    const ds = await service.dataset(who(req).name, p(req, 'owner'), p(req, 'name'));
    const [summary] = await service.summaries(who(req).name, [ds]);
    res.json({ dataset: summary, versions: await service.versionsJson(ds) });
  });
  router.get('/datasets/:owner/:name/versions/:ref', async (req, res) => {
    const { ds, v } = await service.checkRead(who(req), p(req, 'owner'), p(req, 'name'), p(req, 'ref'), 'meta');
    const all = await service.versionsJson(ds);
    res.json(all.find(x => x.id === v.id));
  });
  router.get('/datasets/:owner/:name/versions/:ref/files', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 10000) || 10000, 1), 100000);
    res.json(await reader.files(who(req), p(req, 'owner'), p(req, 'name'), p(req, 'ref'), str(req.query.prefix, 'prefix', ''), limit));
  });
  router.get('/datasets/:owner/:name/versions/:ref/files/*path', async (req, res) => {
    const path = (req.params as unknown as { path: string[] }).path.join('/');
    const { entry, opened } = await reader.file(who(req), p(req, 'owner'), p(req, 'name'), p(req, 'ref'), path);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(opened.size));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(entry.relpath.split('/').pop()!)}`);
    res.setHeader('ETag', `"${entry.md5}"`);
    if (Buffer.isBuffer(opened.body)) {
      res.end(opened.body);
      return;
    }
    const stream = opened.body();
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  router.get('/datasets/:owner/:name/versions/:ref/preview', async (req, res) => {
    const { v } = await service.checkRead(who(req), p(req, 'owner'), p(req, 'name'), p(req, 'ref'), 'preview');
    // The tables engineer's TableEngine (datasets/tables/) answers previews of table versions.
    if (v.kind !== 'table' || !service.deps.tables) throw new AppError(400, 'not_a_table', `Version ${v.id} is not a table`);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
    const offset = Math.max(Math.floor(Number(req.query.offset ?? 0)) || 0, 0);
    res.json(await service.deps.tables.preview(v, { limit, offset }));
  });
  router.get('/datasets/:owner/:name/diff', async (req, res) => {
    res.json(await reader.diff(who(req), p(req, 'owner'), p(req, 'name'), str(req.query.from, 'from'), str(req.query.to, 'to')));
  });
  router.put('/datasets/:owner/:name/tags/:tag', validateBody('dataset-tag.json'), async (req, res) => {
    res.json(await service.setTag(who(req).name, p(req, 'owner'), p(req, 'name'), p(req, 'tag'), (req.body as DatasetTag).version));
  });
  router.delete('/datasets/:owner/:name/tags/:tag', async (req, res) => {
    await service.deleteTag(who(req).name, p(req, 'owner'), p(req, 'name'), p(req, 'tag'));
    res.status(204).end();
  });
  router.put('/datasets/:owner/:name/shares', validateBody('dataset-shares.json'), async (req, res) => {
    await service.setShares(who(req).name, p(req, 'owner'), p(req, 'name'), (req.body as DatasetShares).users);
    const ds = await service.dataset(who(req).name, p(req, 'owner'), p(req, 'name'));
    const [summary] = await service.summaries(who(req).name, [ds]);
    res.json({ dataset: summary, versions: await service.versionsJson(ds) });
  });
  router.get('/datasets/:owner/:name/lineage', async (req, res) => {
    const ds = await service.dataset(who(req).name, p(req, 'owner'), p(req, 'name'));
    const versions = await service.q.versions([ds.id]);
    const edges = await service.q.lineage(versions.map(v => v.id));
    res.json({
      dataset: `${ds.owner}/${ds.name}`,
      edges: edges.map(e => ({
        version: e.version_id,
        runId: e.run_id,
        step: e.step,
        direction: e.direction,
        input: e.input,
        createdAt: e.created_at
      }))
    });
  });
  return router;
}
