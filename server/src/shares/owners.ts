import { AppError } from '../core/errors';
import type { FeatureDeps } from '../core/feature';
import { DatasetQueries } from '../datasets/queries';
import type { OwnerCheck } from './service';
import type { ShareKind } from './targets';

const notYours = (what: string): AppError => new AppError(404, 'share_target_not_found', `No ${what} of yours`);

/**
 * Ownership of a link's target, asked of the module that owns it. Only the owner may create links;
 * anything else (missing, someone else's, merely shared with the caller) is 404.
 */
export function ownerChecks(deps: FeatureDeps): Record<ShareKind, OwnerCheck> {
  const datasets = new DatasetQueries(deps.store.db);
  return {
    run: async (user, t) => {
      await deps.runs.run(user, t.id!).catch(() => {
        throw notYours(`run ${t.id}`);
      });
      return t;
    },
    comparison: async (user, t) => {
      for (const id of t.experiments!) {
        const exp = await deps.tracking.access.experiment(id);
        if (!exp || exp.owner !== user || exp.lifecycle_stage === 'deleted') throw notYours(`experiment ${id}`);
      }
      return t;
    },
    dataset: async (user, t) => {
      const [owner, name] = t.dataset!.split('/');
      const ds = await datasets.find(owner, name);
      if (!ds || ds.owner !== user) throw notYours(`dataset ${t.dataset}`);
      let v = /^[0-9a-f]{12}$/.test(t.version!) ? await datasets.version(ds.id, t.version!) : undefined;
      if (!v) {
        const id = await datasets.tag(ds.id, t.version!);
        v = id ? await datasets.version(ds.id, id) : undefined;
      }
      if (!v) throw notYours(`version ${t.version} of ${t.dataset}`);
      return { dataset: t.dataset, version: v.id };
    },
    // The workspaces module may plug in its own check with `shares.setOwnerCheck('workspace', …)`.
    workspace: async (user, t) => {
      const ws = await deps.store.db.selectFrom('workspaces').select('owner').where('id', '=', t.id!).executeTakeFirst();
      if (!ws || ws.owner !== user) throw notYours(`workspace ${t.id}`);
      return t;
    }
  };
}
