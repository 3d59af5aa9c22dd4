import type { FeatureDeps, FeatureModule } from '../core/feature';
import { CredentialStore } from './credentials';
import { gitRouteDocs } from './docs';
import { gitMigration } from './migration';
import { closeReaders } from './objects';
import { gitRoutes } from './routes';

/** The git feature (docs/git.md, docs/dev/ml-platform-contract.md): isomorphic-git on workspace repositories. */
export function createGitModule(deps: FeatureDeps): FeatureModule {
  const credentials = new CredentialStore(deps.store, deps.config.dataDir);
  const router = gitRoutes({ workspaceDir: deps.workspaceDir, credentials, publish: (user, event) => deps.events.publish(user, event) });
  return {
    router,
    docs: gitRouteDocs,
    // v8 was recorded as applied while it was still an empty stub in some development databases:
    // the migration is idempotent (ifNotExists), so make sure the table is there.
    start: () => gitMigration.up(deps.store.db),
    close: async () => closeReaders()
  };
}
