import { Router } from 'express';
import type { FeatureDeps, FeatureModule } from '../core/feature';

/** The workspaces feature (docs/dev/workspaces-contract.md). */
export function createWorkspacesModule(_deps: FeatureDeps): FeatureModule {
  return { router: Router(), docs: [] };
}
