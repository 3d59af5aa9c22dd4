import { createHash } from 'node:crypto';
import Docker from 'dockerode';
import type { RequestHandler } from 'express';
import { Authenticator } from '../auth/authenticator';
import type { FeatureDeps, FeatureModule } from '../core/feature';
import { StepFirewall } from '../runtime/stepFirewall';
import { TokenService } from '../tokens/service';
import { workspaceConfig } from './config';
import { Culler } from './culler';
import { INSIDE_WS_PATH, insideHandler, insideUpgrade } from './inside';
import { WorkspaceEngine } from './engine';
import { PROXY_PREFIX, proxyHandler, proxyUpgrade } from './proxy';
import { workspaceRouteDocs, workspaceRoutes } from './routes';
import { WorkspaceService } from './service';
import { WorkspaceTracking } from './tracking';

export { access } from './service';

/** The workspaces feature (docs/dev/workspaces-contract.md, docs/workspaces.md). */
export function createWorkspacesModule(deps: FeatureDeps, opts: { mlflow?: RequestHandler } = {}): FeatureModule {
  const config = workspaceConfig();
  // Kernels log to MLflow as the owner through a listener on the workspace's gateway (tracking.ts).
  const tracking = opts.mlflow ? new WorkspaceTracking({ logger: deps.logger, mlflow: opts.mlflow, user: name => deps.store.users.get(name) }) : undefined;
  const service = new WorkspaceService({
    store: deps.store,
    runtime: deps.runtime,
    profiles: deps.profiles,
    logger: deps.logger,
    config,
    resources: deps.resources,
    released: () => deps.scheduler.kick(),
    events: deps.events,
    tracking,
    // Several servers (other databases) may share the engine: each recovers only its own containers.
    engine: new WorkspaceEngine(
      createHash('sha256').update(deps.config.databaseUrl).digest('hex').slice(0, 16),
      new Docker(),
      new StepFirewall(deps.logger)
    )
  });
  const culler = new Culler(service, deps.logger, config.cullIntervalSeconds);
  const auth = new Authenticator(deps.config, deps.store, new TokenService(deps.store));
  return {
    router: workspaceRoutes(service),
    docs: workspaceRouteDocs,
    // Conveyor's own API called from inside a workspace (inside.ts) first, else the proxy.
    mounts: [{ path: PROXY_PREFIX.replace(/\/$/, ''), handlers: [auth.middleware(), insideHandler(service, deps.logger), proxyHandler(service, deps.logger)] }],
    async start() {
      // The first match wins: the event stream of a workspace's labextension before the proxy.
      deps.hub()?.addUpgrade(INSIDE_WS_PATH, insideUpgrade(service, deps.hub));
      deps.hub()?.addUpgrade(PROXY_PREFIX, proxyUpgrade(service, deps.logger));
      try {
        await service.recover();
      } catch (err) {
        // No engine (tests with a fake runtime, Docker down): nothing to reattach.
        deps.logger.warn({ err: String(err) }, 'workspaces: recovery skipped');
      }
      culler.start();
    },
    async close() {
      await culler.close();
      await service.settled();
      // Containers keep running; the next start reopens their listeners from their env.
      await tracking?.closeAll();
    }
  };
}
