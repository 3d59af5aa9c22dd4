import type { Router } from 'express';
import Docker from 'dockerode';
import type { ServerEvent } from '../../../schema/generated/api';
import { DEFAULT_REGISTRY, type Config } from '../core/config';
import type { Logger } from '../core/logger';
import type { RouteDoc } from '../core/openapi';
import { DockerImageSource } from '../images/service';
import type { Runtime } from '../runtime/runtime';
import { ImageBuilds } from './builds';
import { RegistryCatalog } from './catalog';
import { RegistryClient } from './client';
import { ImageDefaults } from './defaults';
import { PullingRuntime } from './pull';
import { ImagePusher } from './push';
import { registryRouteDocs, registryRoutes } from './routes';
import { engineAuth, loadRegistrySettings, type RegistrySettings } from './settings';

export interface RegistryModule {
  /** The runtime to give the scheduler and submitter: registry references are pulled by digest. */
  runtime: Runtime;
  router: Router;
  docs: RouteDoc[];
}

/** Wires the registry client, catalog, pushes, builds, defaults and the /images routes. */
export function createRegistryModule(opts: {
  config: Pick<Config, 'registry' | 'dataDir' | 'defaultImage'>;
  logger: Logger;
  runtime: Runtime;
  publish: (user: string, event: ServerEvent) => void;
  docker?: Docker;
  /** Scheme and credentials; default: read from CONVEYOR_REGISTRY_* (see settings.ts). */
  settings?: RegistrySettings;
}): RegistryModule {
  const docker = opts.docker ?? new Docker();
  // A credentials mistake stops the start with one line (thrown before anything listens).
  const settings = opts.settings ?? loadRegistrySettings(process.env, opts.config.registry ?? DEFAULT_REGISTRY);
  const client = RegistryClient.from(settings);
  const auth = engineAuth(settings);
  const catalog = new RegistryCatalog(client);
  const logger = opts.logger.child({ module: 'registry' });
  const pusher = new ImagePusher({ docker, catalog, logger, engineAuth: auth });
  const builds = new ImageBuilds({ docker, client, catalog, pusher, logger, publish: opts.publish, dataDir: opts.config.dataDir, engineAuth: auth });
  return {
    runtime: new PullingRuntime(opts.runtime, { docker, client, logger, engineAuth: auth }),
    router: registryRoutes({
      catalog,
      pusher,
      builds,
      engine: new DockerImageSource(docker),
      defaults: new ImageDefaults(opts.config.dataDir),
      defaultImage: opts.config.defaultImage ?? 'conveyor/base:dev',
      logger
    }),
    docs: registryRouteDocs
  };
}
