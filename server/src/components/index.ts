import { Router } from 'express';
import type { FeatureDeps, FeatureModule } from '../core/feature';

/** The components feature (docs/dev/ml-platform-contract.md). */
export function createComponentsModule(_deps: FeatureDeps): FeatureModule {
  return { router: Router(), docs: [] };
}
