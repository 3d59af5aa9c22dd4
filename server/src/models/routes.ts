import { Router, type ErrorRequestHandler, type Request } from 'express';
import type { ModelDetail, ModelList, ModelShares, ModelSummary, ModelVersionDetail } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import { validateBody } from '../core/validate';
import { MlflowError } from '../tracking/mlflow/errors';
import type { ModelRow } from './queries';
import type { ModelService } from './service';

export const modelRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/models', summary: 'Registered models the caller can see, by name', response: 'model-list.json' },
  {
    method: 'get',
    path: '/models/{name}',
    summary: "A registered model's versions, newest first: aliases, source run and its latest metrics",
    response: 'model.json'
  },
  { method: 'put', path: '/models/{name}/shares', summary: 'Share an own model for reading ("*" = everyone)', request: 'model-shares.json', response: 'model.json' }
];

/** The Conveyor API of the registry for the UI (MLflow's own API is in mlflow.ts). */
export class ModelsApi {
  constructor(private readonly service: ModelService) {}

  private async summaries(user: string, models: ModelRow[]): Promise<ModelSummary[]> {
    const ids = models.map(m => m.id);
    const [tags, aliases, versions] = await Promise.all([this.service.q.tags(ids), this.service.q.aliases(ids), this.service.q.versions(ids)]);
    return Promise.all(
      models.map(async m => {
        const live = versions.filter(v => v.model_id === m.id);
        return {
          name: m.name,
          owner: m.owner,
          description: m.description,
          creationTime: m.creation_timestamp,
          lastUpdatedTime: m.last_updated_timestamp,
          versionCount: live.length,
          latestVersion: live.length ? Math.max(...live.map(v => v.version)) : null,
          aliases: Object.fromEntries((aliases.get(m.id) ?? []).map(a => [a.alias, a.version])),
          tags: Object.fromEntries((tags.get(m.id) ?? []).map(t => [t.key, t.value])),
          sharedWith: m.owner === user ? await this.service.q.shares(m.id) : []
        };
      })
    );
  }

  async list(user: string): Promise<ModelList> {
    const models = (await this.service.q.listVisible(user)).sort((a, b) => a.name.localeCompare(b.name));
    return { models: await this.summaries(user, models) };
  }

  async detail(user: string, name: string): Promise<ModelDetail> {
    const model = await this.service.resolve(user, name);
    const [summary] = await this.summaries(user, [model]);
    const rows = await this.service.q.versions([model.id]);
    const json = await this.service.versionsJson([model], rows);
    // Versions often share a run: read each source run once.
    const runs = new Map(
      await Promise.all([...new Set(json.map(v => v.run_id).filter(Boolean))].map(async id => [id, await this.service.runs.find(user, id)] as const))
    );
    const versions: ModelVersionDetail[] = json.map(v => {
      const run = runs.get(v.run_id) ?? null;
      const metrics: Record<string, number | string> = {};
      for (const m of run?.data?.metrics ?? []) metrics[m.key] = m.value;
      return {
        name: v.name,
        version: Number(v.version),
        aliases: v.aliases,
        source: v.source,
        runId: v.run_id,
        runName: run?.info.run_name ?? null,
        experimentId: run?.info.experiment_id ?? null,
        runVisible: run !== null,
        status: v.status as ModelVersionDetail['status'],
        stage: v.current_stage as ModelVersionDetail['stage'],
        description: v.description,
        user: v.user_id,
        creationTime: v.creation_timestamp,
        lastUpdatedTime: v.last_updated_timestamp,
        tags: Object.fromEntries(v.tags.map(t => [t.key, t.value])),
        metrics
      };
    });
    return { model: summary, versions };
  }

  async share(user: string, name: string, body: ModelShares): Promise<ModelDetail> {
    await this.service.share(user, name, body.users);
    return this.detail(user, name);
  }
}

const CODES: Record<string, [number, string]> = {
  RESOURCE_DOES_NOT_EXIST: [404, 'model_not_found'],
  PERMISSION_DENIED: [403, 'forbidden'],
  RESOURCE_ALREADY_EXISTS: [409, 'conflict']
};

/** The registry's MLflow errors in Conveyor's error format. */
const toAppError: ErrorRequestHandler = (err, _req, _res, next) => {
  if (err instanceof MlflowError) {
    const [status, code] = CODES[err.errorCode] ?? [400, 'invalid_request'];
    next(new AppError(status, code, err.message));
    return;
  }
  next(err);
};

export function modelRoutes(api: ModelsApi): Router {
  const router = Router();
  const user = (req: Request): string => identityOf(req).user.name;
  router.get('/models', async (req, res) => {
    res.json(await api.list(user(req)));
  });
  router.get('/models/:name', async (req, res) => {
    res.json(await api.detail(user(req), String(req.params.name)));
  });
  router.put('/models/:name/shares', validateBody('model-shares.json'), async (req, res) => {
    res.json(await api.share(user(req), String(req.params.name), req.body as ModelShares));
  });
  router.use('/models', toAppError);
  return router;
}
