import { Router, type Request } from 'express';
import { identityOf } from '../../auth/identity';
import { AppError } from '../../core/errors';
import type { RouteDoc } from '../../core/openapi';
import type { User } from '../../store/users';
import { assertMayBlind } from '../blinding/access';
import type { Approvals } from '../blinding/approvals';
import type { DatasetApprovalDecision, DatasetBlinded, DatasetFromRun, DatasetVersion } from '../../../../schema/generated/api';
import { validateBody } from '../../core/validate';
import type { DatasetCatalog, LineageEntry } from './catalog';

const obj = { inline: { type: 'object' } } as const;

export const datasetRunRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/datasets/{owner}/{name}/versions/{ref}/lineage',
    summary: 'Runs that read this version and the run that produced it',
    response: obj
  },
  {
    method: 'put',
    path: '/datasets/{owner}/{name}/versions/{ref}/blinded',
    summary: 'Blind (owner or admin) or unblind (admins only) a version',
    request: 'dataset-blinded.json',
    response: obj
  },
  {
    method: 'post',
    path: '/datasets/versions/from-run',
    summary: 'Publish a step output as a version of your dataset',
    request: 'dataset-from-run.json',
    response: 'dataset-version.json',
    status: 201
  },
  { method: 'get', path: '/runs/{id}/datasets', summary: 'The dataset versions a run read and produced', response: obj },
  {
    method: 'get',
    path: '/datasets/approvals',
    summary: 'Approval requests for evaluation steps on blinded versions (?status=); admins see all',
    response: obj
  },
  {
    method: 'post',
    path: '/datasets/approvals/{id}',
    summary: 'An admin approves or rejects (revokes) a request',
    request: 'dataset-approval-decision.json',
    response: obj
  }
];

export interface DatasetRunRoutesDeps {
  /** Whether the user may see the run (its owner or an admin). */
  ownsRun(user: User, runId: string): Promise<boolean>;
  catalog: DatasetCatalog;
  approvals: Approvals;
  publish(user: User, body: DatasetFromRun): Promise<DatasetVersion>;
}

const userOf = (req: Request): User => identityOf(req).user;
const param = (req: Request, name: string): string => String((req.params as Record<string, string>)[name]);

/** Lineage, the blinded flag and blinding approvals (docs/datasets.md, "Pipelines, lineage and blinding"). */
export function datasetRunRoutes(d: DatasetRunRoutesDeps): Router {
  const router = Router();

  /** Entries of runs the caller may see (own runs; admins all); the rest are only counted. */
  async function visible(user: User, entries: LineageEntry[]): Promise<{ shown: LineageEntry[]; hidden: number }> {
    if (user.admin || entries.length === 0) return { shown: entries, hidden: 0 };
    const mine = new Set<string>();
    for (const id of new Set(entries.map(e => e.runId))) if (await d.ownsRun(user, id)) mine.add(id);
    const shown = entries.filter(e => mine.has(e.runId));
    return { shown, hidden: entries.length - shown.length };
  }

  const entry = (e: LineageEntry) => ({ runId: e.runId, step: e.step, [e.direction === 'input' ? 'input' : 'output']: e.input, createdAt: e.createdAt });

  router.get('/datasets/:owner/:name/versions/:ref/lineage', async (req, res) => {
    const user = userOf(req);
    const v = await d.catalog.version(user, param(req, 'owner'), param(req, 'name'), param(req, 'ref'), { asAdmin: true });
    const { shown, hidden } = await visible(user, await d.catalog.lineage({ versionId: v.id }));
    res.json({
      dataset: `${v.owner}/${v.name}`,
      version: v.id,
      blinded: v.blinded,
      readBy: shown.filter(e => e.direction === 'input').map(entry),
      producedBy: shown.filter(e => e.direction === 'output').map(entry),
      hiddenRuns: hidden
    });
  });

  router.put('/datasets/:owner/:name/versions/:ref/blinded', validateBody('dataset-blinded.json'), async (req, res) => {
    const user = userOf(req);
    const body = req.body as DatasetBlinded;
    const v = await d.catalog.version(user, param(req, 'owner'), param(req, 'name'), param(req, 'ref'), { asAdmin: true });
    assertMayBlind(user, v, body.blinded);
    await d.catalog.setBlinded(v.id, body.blinded);
    res.json({ dataset: `${v.owner}/${v.name}`, version: v.id, blinded: body.blinded });
  });

  router.get('/datasets/approvals', async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    if (status !== undefined && !['pending', 'approved', 'rejected'].includes(status)) {
      throw AppError.invalid('status must be pending, approved or rejected', { errors: [{ path: 'status', message: 'unknown status' }] });
    }
    res.json({ approvals: await d.approvals.list(userOf(req), status) });
  });

  router.post('/datasets/approvals/:id', validateBody('dataset-approval-decision.json'), async (req, res) => {
    res.json(await d.approvals.decide(userOf(req), param(req, 'id'), (req.body as DatasetApprovalDecision).decision));
  });

  router.post('/datasets/versions/from-run', validateBody('dataset-from-run.json'), async (req, res) => {
    res.status(201).json(await d.publish(userOf(req), req.body as DatasetFromRun));
  });

  router.get('/runs/:id/datasets', async (req, res) => {
    const user = userOf(req);
    const runId = param(req, 'id');
    if (!(await d.ownsRun(user, runId))) throw new AppError(404, 'run_not_found', `No run ${runId}`);
    const rows = await d.catalog.lineage({ runId });
    const item = (e: LineageEntry) => ({ dataset: `${e.owner}/${e.name}`, version: e.versionId, step: e.step, name: e.input });
    res.json({ runId, inputs: rows.filter(e => e.direction === 'input').map(item), outputs: rows.filter(e => e.direction === 'output').map(item) });
  });

  return router;
}
