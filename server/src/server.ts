import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Express } from 'express';
import { Authenticator } from './auth/authenticator';
import { createApp, drainUnreadBody } from './core/app';
import type { ServerEvent } from '../../schema/generated/api';
import type { Config } from './core/config';
import type { Logger } from './core/logger';
import { ArtifactStore } from './artifacts/store';
import { DEFAULT_IMAGE } from './core/config';
import { EventHub } from './events/hub';
import { StepExecutor } from './executor/executor';
import { LogStore } from './logs/store';
import { createRegistryModule } from './registry';
import { diffNotebooks } from './notebooks/diff';
import { importElyra } from './pipelines/elyra';
import { pipelineRouteDocs, pipelineRoutes } from './pipelines/routes';
import { PipelineService } from './pipelines/service';
import { notebookRouteDocs, notebookRoutes } from './notebooks/routes';
import { loadResourceConfig, type ResourceConfig } from './resources/config';
import { ProfileService } from './resources/profiles';
import { profileRouteDocs, profileRoutes } from './resources/profileRoutes';
import { ResourcesApi } from './resources/api';
import { resourceRouteDocs, resourceRoutes } from './resources/routes';
import { ResourcesService } from './resources/service';
import { runRouteDocs, runRoutes } from './runs/routes';
import { Scheduler } from './runs/scheduler';
import { RunService } from './runs/service';
import { RunSubmitter } from './runs/submit';
import { DockerRuntime } from './runtime/docker';
import type { Runtime } from './runtime/runtime';
import { StatusService } from './status/service';
import { statusRouteDocs, statusRoutes } from './status/routes';
import { Store } from './store/store';
import { tokenRouteDocs, tokenRoutes } from './tokens/routes';
import { createModelsModule } from './models';
import { createTrackingModule, MLFLOW_MOUNT, TrackingService } from './tracking';
import { createStepTracking } from './tracking/steps';
import { TokenService } from './tokens/service';
import type { FeatureDeps, FeatureModule } from './core/feature';
import { createComponentsModule } from './components';
import { createDatasetsModule } from './datasets';
import { createDatasetRuns } from './datasets/runs';
import { createGitModule } from './git';
import { createSharesModule } from './shares';
import { createWorkspacesModule } from './workspaces';

export interface ConveyorServer {
  app: Express;
  http: Server;
  store: Store;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number>;
  close(): Promise<void>;
}

function healthRoutes(): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}

/** Wires store, runtime, services, routers and the websocket into one HTTP server. */
export async function buildServer(
  config: Config,
  logger: Logger,
  opts: { runtime?: Runtime; store?: Store; resources?: ResourceConfig } = {}
): Promise<ConveyorServer> {
  // The admin config (CONVEYOR_CONFIG) first: a bad one stops the start with a one-line error.
  const resourceConfig = opts.resources ?? loadResourceConfig(process.env.CONVEYOR_CONFIG);
  const store = opts.store ?? (await Store.open(config.databaseUrl));
  let hub: EventHub | undefined;
  // Registry images (<registry>/<repo>:<tag>) are pulled by digest when a run needs them.
  const engine = opts.runtime ?? new DockerRuntime();
  const registry = createRegistryModule({
    config,
    logger,
    runtime: engine,
    publish: (user, event) => hub?.publish(user, event)
  });
  const runtime = registry.runtime;
  const tokens = new TokenService(store);
  const status = new StatusService({ mode: config.mode, store, runtime });
  const auth = new Authenticator(config, store, tokens);

  // Runs: snapshots and outputs in the artifact store, logs per attempt, one scheduler.
  const artifacts = new ArtifactStore({ dataDir: config.dataDir });
  const logs = new LogStore({ dataDir: config.dataDir });
  // Datasets as step inputs (datasets/runs/): read-only volumes, lineage, blinding.
  const datasetRuns = createDatasetRuns({ config, store, logger });
  const executor = new StepExecutor({ runtime, artifacts, logs, logger, datasets: datasetRuns.executor });
  const events = { publish: (owner: string, event: ServerEvent) => hub?.publish(owner, event) };
  const profiles = new ProfileService(resourceConfig.profiles);
  const resources = new ResourcesService({ config: resourceConfig, profiles, db: store.db, runtime, logger, events });
  // Experiments: the MLflow API (with the model registry's routes) and every step a tracked run.
  const trackingService = new TrackingService(store);
  const models = createModelsModule({ db: store.db, tracking: trackingService, logger });
  const tracking = createTrackingModule({
    store,
    artifacts,
    logger,
    diffNotebooks,
    extraRouters: [models.mlflowRouter],
    service: trackingService,
    modelVersionsOf: (user, runId) => models.service.versionsOfRun(user, runId)
  });
  const stepTracking = createStepTracking({
    logger,
    dataDir: config.dataDir,
    runtime: engine,
    tracking: trackingService,
    artifacts,
    user: name => store.users.get(name),
    mlflow: tracking.mlflowRouter,
    costOf: (runId, step) => resources.usage.stepCost(runId, step),
    network: config.stepNetwork,
    port: config.trackingPort,
    datasets: datasetRuns.tracking(trackingService)
  });
  await stepTracking.start();
  // The scheduler's capacity leaves out what running workspaces hold (resources/service.ts).
  const scheduler = new Scheduler({ store, runtime: resources.schedulerRuntime(runtime), executor, artifacts, logger, events, admission: resources, tracking: stepTracking.hooks });
  resources.attach(scheduler);
  const submitter = new RunSubmitter({
    runtime,
    artifacts,
    profiles,
    admission: resources,
    workspaceDir: config.workspaceDir ?? process.cwd(),
    defaultImage: config.defaultImage ?? DEFAULT_IMAGE,
    importElyra,
    datasets: datasetRuns.inputs,
    // Component steps are expanded by the components module (made below, called at submit).
    components: { expand: (owner, pipeline) => components.expand(owner, pipeline) }
  });
  const runs = new RunService({ store, submitter, scheduler, artifacts, logs, diffNotebooks, tracking: stepTracking.hooks });

  // Feature modules (core/feature.ts): each gets the shared services and returns routes and hooks.
  const workspaceDir = config.workspaceDir ?? process.cwd();
  const deps: FeatureDeps = {
    config,
    logger,
    store,
    runtime,
    artifacts,
    logs,
    events,
    hub: () => hub,
    profiles,
    resources,
    scheduler,
    runs,
    tracking: trackingService,
    workspaceDir
  };
  const components = createComponentsModule(deps);
  const datasets = createDatasetsModule(deps);
  // datasets/runs/ publishes step outputs as versions and mounts table versions through the store.
  datasetRuns.bind({ service: datasets.service, runs });
  const features: FeatureModule[] = [
    createGitModule(deps),
    datasetRuns.module(),
    datasets,
    components,
    createWorkspacesModule(deps, { mlflow: tracking.mlflowRouter }),
    createSharesModule(deps)
  ];

  const app = createApp({
    logger,
    authenticate: auth.middleware(),
    routers: [
      healthRoutes(),
      statusRoutes(status),
      tokenRoutes(tokens),
      runRoutes(runs),
      registry.router,
      profileRoutes(profiles),
      resourceRoutes(new ResourcesApi(resources, scheduler, runtime)),
      pipelineRoutes(new PipelineService({ workspaceDir: config.workspaceDir ?? process.cwd(), defaultImage: config.defaultImage ?? DEFAULT_IMAGE, components })),
      notebookRoutes({ workspaceDir: config.workspaceDir ?? process.cwd() }),
      tracking.router,
      models.router,
      ...features.flatMap(f => (f.router ? [f.router] : []))
    ],
    mounts: [
      { path: MLFLOW_MOUNT, handlers: [drainUnreadBody, auth.middleware(), tracking.mlflowRouter, tracking.mlflowErrors] },
      ...features.flatMap(f => f.mounts ?? [])
    ],
    routeDocs: [
      { method: 'get', path: '/health', summary: 'Liveness', response: { inline: { type: 'object', properties: { ok: { const: true } } } } },
      ...statusRouteDocs,
      ...tokenRouteDocs,
      ...runRouteDocs,
      ...registry.docs,
      ...profileRouteDocs,
      ...resourceRouteDocs,
      ...pipelineRouteDocs,
      ...notebookRouteDocs,
      ...tracking.docs,
      ...models.docs,
      ...features.flatMap(f => f.docs ?? [])
    ]
  });
  const http = createServer(app);
  hub = new EventHub({
    auth,
    status,
    logger,
    pollMs: config.statusPollMs,
    logs: { store: logs, access: (user, runId, step) => runs.logAccess(user, runId, step) }
  });
  hub.attach(http);
  await scheduler.recover();
  for (const feature of features) await feature.start?.();

  let closing: Promise<void> | undefined;
  return {
    app,
    http,
    store,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve((http.address() as AddressInfo).port);
        });
      }),
    close: () => {
      closing ??= (async () => {
        // Containers keep running: the next start reattaches to them.
        await scheduler.stop();
        for (const feature of features) await feature.close?.();
        await stepTracking.close();
        resources.close();
        hub?.close();
        await new Promise<void>(resolve => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        await tracking.close();
        if (!opts.store) {
          await store.close();
        }
      })();
      return closing;
    }
  };
}
