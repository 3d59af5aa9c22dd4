import { Router } from 'express';
import type { FeatureDeps, FeatureModule } from '../core/feature';

/** The git feature (docs/dev/ml-platform-contract.md). */
export function createGitModule(_deps: FeatureDeps): FeatureModule {
  return { router: Router(), docs: [] };
}
