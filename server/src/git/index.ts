import type { FeatureDeps, FeatureModule } from '../core/feature';
import { CredentialStore } from './credentials';
import { gitRouteDocs } from './docs';
import { closeReaders } from './objects';
import { gitRoutes } from './routes';

/** The git feature (docs/git.md, docs/dev/ml-platform-contract.md): isomorphic-git on workspace repositories. */
export function createGitModule(deps: FeatureDeps): FeatureModule {
  const credentials = new CredentialStore(deps.store, deps.config.dataDir);
  const router = gitRoutes({ workspaceDir: deps.workspaceDir, credentials, publish: (user, event) => deps.events.publish(user, event) });
  return {
    router,
    docs: gitRouteDocs,
    close: async () => closeReaders()
  };
}
