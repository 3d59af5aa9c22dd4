import type { ArtifactStore } from '../../artifacts/store';
import type { Logger } from '../../core/logger';
import type { RunState, StepState } from '../../runs/model';
import type { StepTrackingEnv, StepTrackingHooks } from './hooks';
import { durationSeconds, finalStatus, lineageTags, stepParams, stepRunName, type KeyValue } from './lineage';

type TrackedStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** The part of the TrackingService (docs/dev/experiments-contract.md) that step runs use. */
export interface StepTrackingService {
  ensureExperiment(owner: string, name: string): Promise<string>;
  createRun(a: {
    owner: string;
    experimentId: string;
    name: string;
    startTime?: number;
    tags?: KeyValue[];
    conveyorRunId?: string;
    step?: string;
    status?: TrackedStatus;
  }): Promise<{ runUuid: string; artifactUri: string }>;
  findStepRun(conveyorRunId: string, step: string): Promise<string | null>;
  logBatch(
    runUuid: string,
    batch: { metrics?: { key: string; value: number; timestamp: number; step: number }[]; params?: KeyValue[]; tags?: KeyValue[] }
  ): Promise<void>;
  setStatus(runUuid: string, status: TrackedStatus, endTime?: number): Promise<void>;
  putArtifact(runUuid: string, path: string, hash: string, size: number): Promise<void>;
  mintStepToken(owner: string, runUuid: string, ttlSeconds: number): Promise<string>;
  revokeStepTokens(runUuid: string): Promise<void>;
}

/** Where step containers reach the step-facing tracking listener. */
export interface StepEndpoint {
  /** `http://<gateway>:<port>/conveyor/mlflow` */
  trackingUri: string;
  network: string;
}

export interface StepRunsDeps {
  tracking: StepTrackingService;
  artifacts: Pick<ArtifactStore, 'size'>;
  logger: Logger;
  /** The listener's address, or null while there is none (steps then run without tracking env). */
  endpoint: () => Promise<StepEndpoint | null>;
  /** What the step cost (metered by the resources module), or null when unknown. */
  costOf?: (runId: string, step: string) => Promise<number | null>;
  /** datasets/runs/: records a step's dataset inputs (lineage, `conveyor.datasets`, MLflow dataset inputs). */
  datasets?: StepDatasetHooks;
}

/** What datasets/runs/ does with a step's tracked run; never throws (errors are logged there). */
export interface StepDatasetHooks {
  tracked(run: RunState, step: StepState, runUuid: string): Promise<void>;
  /** Whether the tracked run is a sealed step's (blinded data mounted): its token logs metrics only. */
  sealed(runUuid: string): Promise<boolean>;
}

/** MLflow allows 100 params per log-batch. */
const PARAM_CHUNK = 100;
const DAY_SECONDS = 86_400;

/**
 * Every step of a Conveyor run is one tracked run in the run's experiment: created (or found
 * again: one per run and step, whatever the attempts and restarts) when an attempt starts, with
 * the step's params and lineage tags, and ended with its status, duration, cost and artifacts.
 */
export class StepRuns implements StepTrackingHooks {
  constructor(private readonly deps: StepRunsDeps) {}

  async attempt(run: RunState, step: StepState, opts: { reattach: boolean }): Promise<StepTrackingEnv> {
    try {
      const { runUuid, experimentId } = await this.ensure(run, step, 'RUNNING');
      if (step.spec.datasets) await this.deps.datasets?.tracked(run, step, runUuid);
      if (opts.reattach) return { env: {} };
      await this.deps.tracking.setStatus(runUuid, 'RUNNING');
      // Without one (warned about once by its owner), the step runs without the tracking env.
      const endpoint = await this.deps.endpoint();
      if (!endpoint) return { env: {} };
      // A new attempt gets a new token; the previous attempt's container is gone.
      await this.deps.tracking.revokeStepTokens(runUuid);
      const ttl = (step.spec.timeoutSeconds ?? 7 * DAY_SECONDS) + DAY_SECONDS;
      const token = await this.deps.tracking.mintStepToken(run.owner, runUuid, ttl);
      return {
        network: endpoint.network,
        env: {
          MLFLOW_TRACKING_URI: endpoint.trackingUri,
          MLFLOW_TRACKING_TOKEN: token,
          MLFLOW_RUN_ID: runUuid,
          MLFLOW_EXPERIMENT_ID: experimentId
        }
      };
    } catch (err) {
      this.deps.logger.warn({ err, run: run.id, step: step.name }, 'could not track a step: it runs untracked');
      return { env: {} };
    }
  }

  async ended(run: RunState, step: StepState): Promise<void> {
    try {
      const cached = step.status === 'succeeded' && Boolean(step.cachedFrom);
      const existing = await this.deps.tracking.findStepRun(run.id, step.name);
      // Steps that never ran (skipped, cancelled while queued) have no tracked run.
      if (!existing && !cached) return;
      const { runUuid } = existing ? { runUuid: existing } : await this.ensure(run, step, 'RUNNING');
      const end = step.finishedAt ? Date.parse(step.finishedAt) : Date.now();
      const metrics: { key: string; value: number; timestamp: number; step: number }[] = [];
      const duration = cached ? 0 : durationSeconds(step);
      if (duration !== null) metrics.push({ key: 'conveyor.duration_seconds', value: duration, timestamp: end, step: 0 });
      const cost = cached ? 0 : await this.deps.costOf?.(run.id, step.name).catch(() => null);
      if (typeof cost === 'number') metrics.push({ key: 'conveyor.cost_usd', value: cost, timestamp: end, step: 0 });
      const name = stepRunName(run, step, (run.pipeline?.steps?.length ?? 1) === 1);
      await this.deps.tracking.logBatch(runUuid, { metrics, tags: lineageTags(run, step, name) });
      if (cached && step.spec.datasets) await this.deps.datasets?.tracked(run, step, runUuid);
      if (step.executedNotebook) {
        await this.deps.tracking.putArtifact(runUuid, 'executed.ipynb', step.executedNotebook, await this.deps.artifacts.size(step.executedNotebook));
      }
      for (const out of step.status === 'succeeded' ? step.outputs : []) {
        await this.deps.tracking.putArtifact(runUuid, `outputs/${out.name}`, out.hash, out.size);
      }
      await this.deps.tracking.setStatus(runUuid, finalStatus(step), end);
      await this.deps.tracking.revokeStepTokens(runUuid);
    } catch (err) {
      this.deps.logger.warn({ err, run: run.id, step: step.name }, 'could not end the tracked run of a step');
    }
  }

  /** The step's tracked run: found by (run, step), else created with its params and lineage. */
  private async ensure(run: RunState, step: StepState, status: TrackedStatus): Promise<{ runUuid: string; experimentId: string }> {
    const { tracking } = this.deps;
    const experimentId = await tracking.ensureExperiment(run.owner, run.experiment || 'Default');
    const name = stepRunName(run, step, (run.pipeline?.steps?.length ?? 1) === 1);
    const tags = lineageTags(run, step, name);
    let runUuid = await tracking.findStepRun(run.id, step.name);
    if (!runUuid) {
      const started = step.startedAt ? Date.parse(step.startedAt) : Date.now();
      ({ runUuid } = await tracking.createRun({
        owner: run.owner,
        experimentId,
        name,
        startTime: Number.isFinite(started) ? started : Date.now(),
        tags,
        conveyorRunId: run.id,
        step: step.name,
        status
      }));
    } else {
      // The attempt number and image digest change between attempts.
      await tracking.logBatch(runUuid, { tags });
    }
    // Every time: params are write-once with the same values, and a crash may have come before them.
    const params = stepParams(step);
    for (let i = 0; i < params.length; i += PARAM_CHUNK) {
      await tracking.logBatch(runUuid, { params: params.slice(i, i + PARAM_CHUNK) });
    }
    return { runUuid, experimentId };
  }
}
