import type { Logger } from '../core/logger';
import type { ArtifactStore } from '../artifacts/store';
import type { LogStore } from '../logs/store';
import {
  LABEL_ATTEMPT,
  LABEL_RUN,
  LABEL_STEP,
  type Container,
  type LogLine,
  type RunSpec,
  type Runtime
} from '../runtime/runtime';
import { buildWorkArchive } from './archive';
import { ContainerGone, WORK_DIR, EXECUTED_NOTEBOOK, PARAMS_FILE, type StepJob, type StepOutcome } from './job';
import { LogPump, lastStoredLines } from './follow';
import { RUNNER_FILE } from './runner';
import { workRelative } from './paths';
import { finish, type Ending } from './outcome';
import { phases, type Phases } from './phases';
import { AppError } from '../core/errors';

export type { StepJob, StepOutcome } from './job';
export { ContainerGone } from './job';
export { hashContent, notebookHash } from './hash';

export interface StepExecutorDeps {
  runtime: Runtime;
  artifacts: ArtifactStore;
  logs: LogStore;
  logger: Logger;
  /** Seconds a stopped step gets between SIGTERM and SIGKILL (default 5). */
  stopGraceSeconds?: number;
  /**
   * datasets/runs/: checks a job's dataset inputs may still be mounted and makes each version's
   * volume (populated once, hashes verified); answers the read-only mounts.
   */
  datasets?: { prepare(job: StepJob): Promise<NonNullable<RunSpec['volumes']>> };
}

/** The container command of a step. */
export function stepCommand(job: StepJob): string[] {
  if (job.notebook) {
    const nb = workRelative(job.notebook.name, 'the notebook name');
    return ['python3', RUNNER_FILE, nb, EXECUTED_NOTEBOOK, PARAMS_FILE, WORK_DIR];
  }
  if (job.command?.length) {
    return job.command;
  }
  throw new Error('a step job needs a notebook or a command');
}

function containerSpec(job: StepJob, volumes?: RunSpec['volumes']): RunSpec {
  job.outputs.forEach(o => workRelative(o, 'an output path'));
  return {
    volumes,
    image: job.image,
    cmd: stepCommand(job),
    owner: job.owner,
    kind: 'step',
    env: {
      PYTHONUNBUFFERED: '1',
      ...job.env,
      CONVEYOR_RUN_ID: job.runId,
      CONVEYOR_STEP: job.step,
      CONVEYOR_ATTEMPT: String(job.attempt)
    },
    // A sealed step (blinded data, datasets/blinding/) reaches the tracking listener only.
    network: job.network && !job.sealed,
    stepNetwork: job.stepNetwork,
    workingDir: WORK_DIR,
    memoryBytes: job.resources.memoryBytes,
    cpus: job.resources.cpus,
    shmBytes: job.resources.shmBytes,
    gpuDeviceIds: job.resources.gpuDeviceIds,
    labels: { [LABEL_RUN]: job.runId, [LABEL_STEP]: job.step, [LABEL_ATTEMPT]: String(job.attempt) }
  };
}

/** Runs ONE step attempt in a container and reports its outcome. */
export class StepExecutor {
  constructor(readonly deps: StepExecutorDeps) {}

  /** Creates the container (labels io.conveyor.run/step/attempt), copies files in, starts, streams logs, waits, collects. */
  async run(job: StepJob, signal: AbortSignal, onStarted?: (containerId: string) => void): Promise<StepOutcome> {
    const { runtime, artifacts, logger } = this.deps;
    const t = phases();
    const image = await runtime.imageDigest(job.image);
    await this.checkInputs(job);
    const spec = containerSpec(job, await this.datasetVolumes(job));
    if (signal.aborted) {
      return finish.cancelledBeforeStart(job, image.id);
    }
    const archive = buildWorkArchive(job, artifacts);
    t.mark('prepare');
    const container = await runtime.create(spec);
    t.mark('create');
    const log = logger.child({ runId: job.runId, step: job.step, attempt: job.attempt, container: container.id.slice(0, 12) });
    let outcome: StepOutcome | undefined;
    try {
      await container.putArchive(archive, '/home/conveyor');
      t.mark('copyIn');
      const lines = await container.attach();
      const exited = container.waitNextExit();
      exited.catch(() => undefined);
      await container.start();
      t.mark('start');
      const startedAt = Date.now();
      log.debug('step container started');
      onStarted?.(container.id);
      const pump = new LogPump(this.deps.logs, job, lines, 0, job.sealed);
      outcome = await this.supervise(container, job, signal, { exited, pump, startedAt, imageDigest: image.id, t });
      return outcome;
    } finally {
      await container.remove().catch(err => log.warn({ err }, 'could not remove the step container'));
      t.mark('remove');
      if (outcome) {
        outcome.timings = t.result();
        log.debug({ timings: outcome.timings }, 'step finished');
      }
    }
  }

  /** The read-only dataset volumes of a job (datasets/runs/), none without dataset inputs. */
  private async datasetVolumes(job: StepJob): Promise<RunSpec['volumes']> {
    if (!job.datasets?.length) return undefined;
    if (!this.deps.datasets) throw new AppError(503, 'datasets_unavailable', 'This server cannot mount dataset inputs');
    return this.deps.datasets.prepare(job);
  }

  /** Every input artifact must exist before a container is made for it. */
  private async checkInputs(job: StepJob): Promise<void> {
    for (const input of job.inputs) {
      if (!(await this.deps.artifacts.has(input.hash))) {
        throw new AppError(404, 'artifact_not_found', `input '${input.name}' (artifact ${input.hash}) does not exist`);
      }
    }
  }

  /** After a server crash: follow a container found by its labels to the end and collect its outcome. */
  async reattach(containerId: string, job: StepJob, signal: AbortSignal): Promise<StepOutcome> {
    const { runtime } = this.deps;
    const state = await runtime.get(containerId);
    if (!state) {
      throw new ContainerGone(containerId);
    }
    const container = runtime.container(containerId);
    try {
      if (state.status === 'created') {
        // Created but never started (the crash came before start): nothing ran, retry the step.
        throw new ContainerGone(containerId);
      }
      const stored = this.deps.logs.count(job.runId, job.step, job.attempt);
      const exited = container.waitNotRunning();
      exited.catch(() => undefined);
      const lines = await container.logs({ follow: state.running });
      const pump = new LogPump(this.deps.logs, job, lines, stored, job.sealed);
      if (!job.sealed) pump.last.push(...lastStoredLines(this.deps.logs, job));
      const startedAt = state.startedAt ? Date.parse(state.startedAt) : Date.now();
      return await this.supervise(container, job, signal, { exited, pump, startedAt, imageDigest: state.imageId });
    } catch (err) {
      if ((err as { code?: string }).code === 'container_gone') {
        throw new ContainerGone(containerId);
      }
      throw err;
    } finally {
      await container.remove().catch(() => undefined);
    }
  }

  /** Waits for exit, a timeout or an abort; then collects the outcome. */
  private async supervise(
    container: Container,
    job: StepJob,
    signal: AbortSignal,
    run: { exited: Promise<number>; pump: LogPump; startedAt: number; imageDigest: string; t?: Phases }
  ): Promise<StepOutcome> {
    const grace = this.deps.stopGraceSeconds ?? 5;
    let ending: Ending = 'exited';
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<Ending>(resolve => {
      if (job.timeoutSeconds) {
        const left = job.timeoutSeconds * 1000 - (Date.now() - run.startedAt);
        timer = setTimeout(() => resolve('timedOut'), Math.max(0, left));
      }
      onAbort = () => resolve('cancelled');
      if (signal.aborted) {
        onAbort();
      } else {
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      const first = await Promise.race([run.exited.then(() => 'exited' as const), stopped]);
      if (first !== 'exited') {
        ending = first;
        await container.stop(grace);
      }
      await run.exited.catch(() => undefined);
    } finally {
      clearTimeout(timer);
      if (onAbort) {
        signal.removeEventListener('abort', onAbort);
      }
    }
    await run.pump.done.catch(err => this.deps.logger.warn({ err }, 'step log stream failed'));
    run.t?.mark('execute');
    // A sealed step (blinded data mounted): nothing but its exit leaves; metrics went to tracking.
    const collected = job.sealed ? { ...job, notebook: undefined, outputs: [] } : job;
    const outcome = await finish.collect({ container, job: collected, ending, lastLines: run.pump.last, imageDigest: run.imageDigest, artifacts: this.deps.artifacts });
    if (job.sealed) finish.seal(outcome);
    run.t?.mark('collect');
    return outcome;
  }
}

export type { LogLine };
