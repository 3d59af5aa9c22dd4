import { join } from 'node:path';
import { drainUnreadBody } from '../core/app';
import { Authenticator } from '../auth/authenticator';
import type { FeatureDeps, FeatureModule } from '../core/feature';
import { TokenService } from '../tokens/service';
import { strictBlinding, type DatasetAccess } from './access';
import { DVC_MOUNT, dvcRemoteRouter } from './dvcRemote';
import { HashCache } from './hashCache';
import { HashPool } from './hashPool';
import { ObjectStore } from './objects';
import { DatasetQueries } from './queries';
import { DatasetReader } from './read';
import { datasetRouteDocs, datasetRoutes } from './routes';
import { DatasetsService } from './service';
import { createTableHooks } from './tables/index';

export { DVC_MOUNT } from './dvcRemote';

/** Where the store lives: `<dataDir>/datasets/store` (a DVC 3 remote layout). */
export function datasetStoreDir(dataDir: string): string {
  return join(dataDir, 'datasets', 'store');
}

/** The datasets feature (docs/dev/ml-platform-contract.md, docs/datasets.md). */
export function createDatasetsModule(deps: FeatureDeps): FeatureModule & { service: DatasetsService } {
  const logger = deps.logger.child({ module: 'datasets' });
  const pool = new HashPool();
  const objects = new ObjectStore(datasetStoreDir(deps.config.dataDir), pool);
  // Hook for datasets/runs/ (blinding approvals, service account): replace strictBlinding here.
  const access: DatasetAccess = strictBlinding;
  // Table versions (CSV, Parquet) on DuckDB: datasets/tables/, the "Tables API" of the contract.
  const tables = createTableHooks(objects, logger);
  const service = new DatasetsService({
    queries: new DatasetQueries(deps.store.db),
    objects,
    cache: new HashCache(join(deps.config.dataDir, 'datasets', 'hashcache.txt')),
    workspaceDir: deps.workspaceDir,
    logger,
    access,
    tables
  });
  const reader = new DatasetReader(service);
  // The DVC remote authenticates like the API (same secret/user headers or bearer tokens).
  const auth = new Authenticator(deps.config, deps.store, new TokenService(deps.store));
  return {
    service,
    router: datasetRoutes(service, reader),
    docs: datasetRouteDocs,
    mounts: [
      {
        path: DVC_MOUNT,
        handlers: [drainUnreadBody, auth.middleware(), dvcRemoteRouter(service, logger)]
      }
    ],
    async start() {
      await objects.init();
    },
    async close() {
      await tables.close();
      await pool.close();
    }
  };
}
