import { Router, type Request, type Response } from 'express';
import type { ExperimentSearch, ExperimentValuesRequest } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import { asAppError, type ExperimentsApi } from './api';

export const experimentRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/experiments', summary: 'Experiments the caller can see, with run counts and shares', response: 'experiment-list.json' },
  { method: 'put', path: '/experiments/{id}/shares', summary: 'Share an experiment (owner only; "*" = everyone)', request: 'experiment-shares.json', response: 'experiment-shares.json' },
  { method: 'post', path: '/experiments/search', summary: 'A page of runs of one or several experiments: MLflow filter, order, group, columns, differing params', request: 'experiment-search.json', response: 'experiment-search-result.json' },
  { method: 'post', path: '/experiments/values', summary: 'Columns of every matching run (≤ 10,000) for scatter and parallel coordinates', request: 'experiment-values-request.json', response: 'experiment-values.json' },
  { method: 'get', path: '/experiments/runs/{runId}', summary: 'A tracked run: params, metrics with min/max/count, tags, artifacts, lineage', response: 'experiment-run.json' },
  { method: 'get', path: '/experiments/runs/{runId}/metrics/{key}', summary: "A metric's full history", response: 'experiment-metric-history.json' },
  { method: 'put', path: '/experiments/runs/{runId}/candidate', summary: 'Mark or unmark a run as a candidate', request: 'experiment-candidate.json', response: 'experiment-candidate.json' },
  { method: 'get', path: '/experiments/diff', summary: 'Cell diff of the executed notebooks of two tracked runs (?a=<runId>&b=<runId>)', response: 'notebook-diff.json' }
];

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Answers JSON; MLflow and filter errors become Conveyor errors. */
const handle = (fn: Handler) => async (req: Request, res: Response): Promise<void> => {
  try {
    res.json(await fn(req, res));
  } catch (err) {
    throw asAppError(err);
  }
};

/** Conveyor's /experiments routes (under /conveyor/api/v1). */
export function experimentRoutes(api: ExperimentsApi, diffNotebooks: (a: unknown, b: unknown) => unknown): Router {
  const router = Router();
  const user = (req: Request): string => identityOf(req).user.name;
  const runId = (req: Request): string => {
    const id = String(req.params.runId);
    if (!/^[0-9a-f]{32}$/.test(id)) throw AppError.notFound(`No tracked run ${id}`);
    return id;
  };

  router.get('/experiments', handle(req => api.list(user(req))));
  router.put('/experiments/:id/shares', validateBody('experiment-shares.json'), handle(req => api.setShares(user(req), String(req.params.id), (req.body as { users: string[] }).users)));
  router.post('/experiments/search', validateBody('experiment-search.json'), handle(req => api.search(user(req), req.body as ExperimentSearch)));
  router.post('/experiments/values', validateBody('experiment-values-request.json'), handle(req => api.values(user(req), req.body as ExperimentValuesRequest)));
  router.get('/experiments/diff', handle(req => api.diff(user(req), req.query.a, req.query.b, diffNotebooks)));
  router.get('/experiments/runs/:runId', handle(req => api.run(user(req), runId(req))));
  router.get('/experiments/runs/:runId/metrics/:key', handle(req => api.history(user(req), runId(req), String(req.params.key))));
  router.put('/experiments/runs/:runId/candidate', validateBody('experiment-candidate.json'), handle(req => api.setCandidate(user(req), runId(req), (req.body as { candidate: boolean }).candidate)));
  return router;
}
