import { Router, type RequestHandler } from 'express';
import type { RunSubmit } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import { checkParams } from './params';
import type { RunService } from './service';

const logPage = {
  inline: {
    type: 'object',
    required: ['lines', 'from', 'next', 'attempt', 'done'],
    properties: {
      lines: { type: 'array', items: { type: 'string' } },
      from: { type: 'integer' },
      next: { type: 'integer' },
      attempt: { type: 'integer' },
      done: { type: 'boolean' }
    }
  }
};

export const runRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/runs', summary: 'Submit a pipeline, a pipeline file or one notebook', request: 'run-submit.json', response: 'run.json', status: 201 },
  { method: 'get', path: '/runs', summary: "The caller's runs, newest first (?status=&q=&parent=&limit=&cursor=)", response: 'run-list.json' },
  { method: 'get', path: '/runs/diff', summary: 'Cell diff of two executed notebooks (?a=<run>/<step>&b=<run>/<step>)', response: { inline: { type: 'object' } } },
  { method: 'get', path: '/runs/{id}', summary: 'A run with its steps', response: 'run.json' },
  { method: 'post', path: '/runs/{id}/cancel', summary: 'Cancel a run: stops and removes its containers', response: 'run.json' },
  { method: 'post', path: '/runs/{id}/steps/{step}/cancel', summary: 'Cancel one step; its downstream steps are skipped', response: 'run.json' },
  { method: 'post', path: '/runs/{id}/resume', summary: 'A new run reusing the succeeded steps and re-running the rest', response: 'run.json', status: 201 },
  { method: 'post', path: '/runs/{id}/rerun', summary: 'A new run with the same inputs ({cache?})', response: 'run.json', status: 201 },
  { method: 'get', path: '/runs/{id}/steps/{step}/logs', summary: "A page of a step attempt's log (?attempt=&from=&max=)", response: logPage },
  { method: 'get', path: '/runs/{id}/steps/{step}/notebook', summary: 'The executed notebook (nbformat JSON)', response: { inline: { type: 'object' } } },
  { method: 'get', path: '/runs/{id}/steps/{step}/outputs/{name}', summary: "An output's bytes" }
];

/** shares (issue #8): the read routes also serve runs shared with the caller by a link. */
const SHARED = true;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Params are checked before the schema so a bad value answers invalid_params, not invalid_request. */
const paramsFirst: RequestHandler = (req, _res, next) => {
  const body = req.body as { params?: unknown; notebook?: { params?: unknown } } | undefined;
  if (body && typeof body === 'object') {
    checkParams(body.params, 'params');
    if (body.notebook && typeof body.notebook === 'object') checkParams(body.notebook.params, 'notebook.params');
  }
  next();
};

export function runRoutes(runs: RunService): Router {
  const router = Router();
  const owner = (req: Parameters<RequestHandler>[0]): string => identityOf(req).user.name;

  router.post('/runs', paramsFirst, validateBody('run-submit.json'), async (req, res) => {
    res.status(201).json(await runs.submit(owner(req), req.body as RunSubmit));
  });
  router.get('/runs', async (req, res) => {
    const q = req.query;
    res.json(await runs.list(owner(req), { status: str(q.status), q: str(q.q), parent: str(q.parent), limit: str(q.limit), cursor: str(q.cursor) }));
  });
  router.get('/runs/diff', async (req, res) => {
    res.json(await runs.diff(owner(req), str(req.query.a), str(req.query.b)));
  });
  router.get('/runs/:id', async (req, res) => {
    res.json(await runs.get(owner(req), req.params.id, SHARED));
  });
  router.post('/runs/:id/cancel', async (req, res) => {
    res.json(await runs.cancel(owner(req), req.params.id));
  });
  router.post('/runs/:id/steps/:step/cancel', async (req, res) => {
    res.json(await runs.cancel(owner(req), req.params.id, req.params.step));
  });
  router.post('/runs/:id/resume', async (req, res) => {
    res.status(201).json(await runs.resume(owner(req), req.params.id));
  });
  router.post('/runs/:id/rerun', async (req, res) => {
    const cache = (req.body as { cache?: unknown } | undefined)?.cache;
    if (cache !== undefined && typeof cache !== 'boolean') throw AppError.invalid('cache must be a boolean');
    res.status(201).json(await runs.rerun(owner(req), req.params.id, { cache }));
  });
  router.get('/runs/:id/steps/:step/logs', async (req, res) => {
    const q = req.query;
    res.json(await runs.logs(owner(req), req.params.id, req.params.step, { attempt: str(q.attempt), from: str(q.from), max: str(q.max) }, SHARED));
  });
  router.get('/runs/:id/steps/:step/notebook', async (req, res) => {
    res.type('application/x-ipynb+json').send(await runs.notebook(owner(req), req.params.id, req.params.step, SHARED));
  });
  router.get('/runs/:id/steps/:step/outputs/*name', async (req, res) => {
    const raw = (req.params as unknown as { name: string | string[] }).name;
    const name = Array.isArray(raw) ? raw.join('/') : raw;
    const { stream, size } = await runs.output(owner(req), req.params.id, req.params.step, name, SHARED);
    res.type('application/octet-stream').setHeader('Content-Length', String(size));
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  return router;
}
