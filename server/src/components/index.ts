import type { Pipeline } from '../../../schema/generated/api';
import type { FeatureDeps, FeatureModule } from '../core/feature';
import { Catalog } from './catalog';
import { expandComponents, type Expansion } from './expand';
import { ComponentRegistry } from './registry';
import { componentRouteDocs, componentRoutes } from './routes';

export type { Expansion, StepAssets } from './expand';

/** The components module plus what pipelines and runs use: expansion of `component:` steps for a user. */
export interface ComponentsModule extends FeatureModule {
  catalog: Catalog;
  expand(owner: string, pipeline: Pipeline): Promise<Expansion>;
}

/** The components feature (docs/dev/ml-platform-contract.md, docs/components.md). */
export function createComponentsModule(deps: FeatureDeps): ComponentsModule {
  const registry = new ComponentRegistry(deps.store.db);
  const catalog = new Catalog({ workspaceDir: deps.workspaceDir, registry });
  return {
    router: componentRoutes({ catalog, registry, workspaceDir: deps.workspaceDir, logger: deps.logger }),
    docs: componentRouteDocs,
    catalog,
    async expand(owner, pipeline) {
      if (!pipeline.steps.some(s => s.component !== undefined)) return { pipeline, assets: new Map(), ports: {}, errors: [] };
      // One lookup per distinct ref (each scans the workspace's component files and asks the registry).
      const seen = new Map<string, ReturnType<Catalog['resolve']>>();
      return expandComponents(pipeline, ref => {
        if (!seen.has(ref)) seen.set(ref, catalog.resolve(owner, ref));
        return seen.get(ref)!;
      });
    }
  };
}
