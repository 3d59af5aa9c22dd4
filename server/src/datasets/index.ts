import { Router } from 'express';
import type { FeatureDeps, FeatureModule } from '../core/feature';

/** The datasets feature (docs/dev/ml-platform-contract.md). */
export function createDatasetsModule(_deps: FeatureDeps): FeatureModule {
  return { router: Router(), docs: [] };
}
