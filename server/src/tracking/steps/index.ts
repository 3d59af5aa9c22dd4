import type { RequestHandler } from 'express';
import type { ArtifactStore } from '../../artifacts/store';
import type { Logger } from '../../core/logger';
import type { Runtime, StepNetwork } from '../../runtime/runtime';
import { StepFirewall } from '../../runtime/stepFirewall';
import type { User } from '../../store/users';
import type { StepTrackingHooks } from './hooks';
import { MLFLOW_PREFIX, StepListener } from './listener';
import type { StepDatasetHooks } from './stepRuns';
import { StepRuns, type StepEndpoint, type StepTrackingService } from './stepRuns';

export type { StepTrackingHooks } from './hooks';
export type { StepTrackingService } from './stepRuns';

export const DEFAULT_STEP_NETWORK = 'conveyor-steps';

export interface StepTrackingOptions {
  logger: Logger;
  dataDir: string;
  /** The engine (its ensureStepNetwork); none: no step network, steps run without tracking env. */
  runtime: Pick<Runtime, 'ensureStepNetwork'>;
  tracking: StepTrackingService & { authenticateStepToken(token: string): Promise<{ owner: string; runUuid: string } | null> };
  artifacts: Pick<ArtifactStore, 'size'>;
  user(name: string): Promise<User | undefined>;
  /** The MLflow REST router, served to steps on the listener. */
  mlflow: RequestHandler;
  /** What a step cost over its metered attempts (the resources module), null when not metered. */
  costOf?: (runId: string, step: string) => Promise<number | null>;
  /** CONVEYOR_STEP_NETWORK (default conveyor-steps). */
  network?: string;
  /** CONVEYOR_TRACKING_PORT. */
  port?: number;
  /** datasets/runs/: lineage of dataset inputs on each step's tracked run. */
  datasets?: StepDatasetHooks;
}

export interface StepTracking {
  hooks: StepTrackingHooks;
  /** Makes the step network and starts the listener on its gateway; a failure only warns. */
  start(): Promise<StepEndpoint | null>;
  endpoint(): StepEndpoint | null;
  close(): Promise<void>;
}

/** After a failure, how long steps run untracked before the network and listener are tried again. */
const RETRY_MS = 30_000;

/** Every step a tracked run, and the network and listener through which steps log to it. */
export function createStepTracking(o: StepTrackingOptions): StepTracking {
  let endpoint: StepEndpoint | null = null;
  let failedAt = 0;
  let warned = false;
  let starting: Promise<StepEndpoint | null> | undefined;
  const listener = new StepListener({
    // Asked on every request, from the stored step: right from the start, also after a restart.
    sealed: o.datasets ? runUuid => o.datasets!.sealed(runUuid) : undefined,
    logger: o.logger,
    dataDir: o.dataDir,
    port: o.port,
    authenticate: token => o.tracking.authenticateStepToken(token),
    user: o.user,
    mlflow: o.mlflow
  });
  const firewall = new StepFirewall(o.logger);
  let guarded: { net: StepNetwork; port: number } | undefined;
  const start = async (): Promise<StepEndpoint | null> => {
    const name = o.network || DEFAULT_STEP_NETWORK;
    try {
      if (!o.runtime.ensureStepNetwork) throw new Error('the container runtime has no step networks');
      const net = await o.runtime.ensureStepNetwork(name);
      const port = await listener.start(net.gateway);
      // Close the host to steps but for this listener; without root it only warns.
      if (await firewall.allowOnly(net, port)) guarded = { net, port };
      endpoint = { network: net.name, trackingUri: `http://${net.gateway}:${port}${MLFLOW_PREFIX}` };
      warned = false;
      o.logger.info({ network: net.name, gateway: net.gateway, port }, 'step tracking listener ready');
    } catch (err) {
      failedAt = Date.now();
      // One warning per outage, not one per step.
      if (!warned) o.logger.warn({ err: (err as Error).message, network: name }, 'no step network: steps run without MLFLOW_TRACKING_URI');
      warned = true;
    }
    return endpoint;
  };
  /** The endpoint; without one, tries again (at most every RETRY_MS): the engine may be back. */
  const current = async (): Promise<StepEndpoint | null> => {
    if (endpoint || Date.now() - failedAt < RETRY_MS) return endpoint;
    starting ??= start().finally(() => {
      starting = undefined;
    });
    return starting;
  };
  const hooks = new StepRuns({
    tracking: o.tracking,
    artifacts: o.artifacts,
    logger: o.logger,
    endpoint: current,
    costOf: o.costOf,
    datasets: o.datasets
  });
  return {
    hooks,
    endpoint: () => endpoint,
    start: () => current(),
    close: async () => {
      if (guarded) await firewall.revoke(guarded.net, guarded.port);
      await listener.close();
    }
  };
}
