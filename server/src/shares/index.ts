import { Router } from 'express';
import type { FeatureDeps, FeatureModule } from '../core/feature';

/** The shares feature (docs/dev/workspaces-contract.md). */
export function createSharesModule(_deps: FeatureDeps): FeatureModule {
  return { router: Router(), docs: [] };
}
