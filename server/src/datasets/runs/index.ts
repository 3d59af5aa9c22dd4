import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { DatasetFromRun } from '../../../../schema/generated/api';
import type { Config } from '../../core/config';
import type { FeatureModule } from '../../core/feature';
import type { Logger } from '../../core/logger';
import { AppError } from '../../core/errors';
import { RunQueries } from '../../runs/queries';
import type { RunService } from '../../runs/service';
import type { Store } from '../../store/store';
import type { User } from '../../store/users';
import type { DatasetsService } from '../service';
import { publishFromRun } from './publish';
import type { TrackingService } from '../../tracking';
import type { StepDatasetHooks } from '../../tracking/steps/stepRuns';
import { Approvals } from '../blinding/approvals';
import { DatasetCatalog } from './catalog';
import { DatasetInputs, type TableExport } from './inputs';
import { datasetRunRouteDocs, datasetRunRoutes } from './routes';
import { SealedSteps } from './sealed';
import { DatasetVolumes } from './volumes';

export { DATASETS_TAG } from './inputs';

export interface DatasetRunsOptions {
  config: Pick<Config, 'dataDir'>;
  store: Store;
  logger: Logger;
  docker?: Docker;
  /** CONVEYOR_PRODUCTION_USER (default: the environment variable). */
  productionUser?: string;
}

export interface DatasetRuns {
  /** For RunSubmitter (runs/submit.ts). */
  inputs: DatasetInputs;
  /** For StepExecutor (executor/executor.ts). */
  executor: { prepare: DatasetInputs['prepare'] };
  /** For createStepTracking (tracking/steps/). */
  tracking(service: TrackingService): StepDatasetHooks;
  /** Routes: lineage, blinded flag, approvals. */
  module(): FeatureModule;
  /**
   * Once the datasets module and the run service exist (server.ts): publishing outputs as
   * versions, mounting table versions.
   */
  bind(b: { service: DatasetsService; runs: RunService }): void;
}

/** Datasets in pipelines (server.ts wires it before the executor, the submitter and step tracking). */
export function createDatasetRuns(o: DatasetRunsOptions): DatasetRuns {
  const storeDir = join(o.config.dataDir, 'datasets', 'store');
  const catalog = new DatasetCatalog(o.store.db);
  const approvals = new Approvals(o.store.db);
  const volumes = new DatasetVolumes({
    docker: o.docker ?? new Docker(),
    storeDir,
    markerDir: join(o.config.dataDir, 'datasets', 'volumes'),
    logger: o.logger
  });
  const inputs = new DatasetInputs({
    catalog,
    approvals,
    users: o.store.users,
    volumes,
    logger: o.logger,
    productionUser: o.productionUser ?? (process.env.CONVEYOR_PRODUCTION_USER || undefined),
    // datasets/tables/createTableHooks gives its TableEngine along with the hooks.
    tables: () => (bound?.service.deps.tables as { engine?: TableExport } | undefined)?.engine
  });
  const runSteps = new RunQueries(o.store.db);
  let bound: { service: DatasetsService; runs: RunService } | undefined;
  const tmpDir = join(o.config.dataDir, 'datasets', 'publish-tmp');
  const publish = (user: User, body: DatasetFromRun) => {
    if (!bound) throw new AppError(503, 'datasets_unavailable', 'The datasets store is not ready');
    return publishFromRun({ ...bound, catalog, tmpDir }, user, body);
  };
  /** Whether `user` may see run `id`: its owner (asked of the run service), or any admin. */
  const ownsRun = async (user: User, id: string): Promise<boolean> => {
    if (user.admin) return (await runSteps.steps(id)).length > 0;
    if (!bound) throw new AppError(503, 'datasets_unavailable', 'The run service is not ready');
    return bound.runs.get(user.name, id).then(
      () => true,
      err => {
        if ((err as { status?: number }).status === 404) return false;
        throw err;
      }
    );
  };
  return {
    bind: b => {
      bound = b;
    },
    inputs,
    executor: { prepare: job => inputs.prepare(job) },
    tracking: service => ({
      tracked: (run, step, runUuid) => inputs.tracked(service, run, step, runUuid),
      sealed: (
        sealed => (runUuid: string) =>
          sealed.of(runUuid)
      )(new SealedSteps({ trackedRun: uuid => service.access.run(uuid), steps: id => runSteps.steps(id) }))
    }),
    module: () => ({
      router: datasetRunRoutes({ catalog, approvals, publish, ownsRun }),
      docs: datasetRunRouteDocs,
      // Copies left by a publish cut short by a crash.
      start: () => rm(tmpDir, { recursive: true, force: true })
    })
  };
}
