import type { Logger } from '../core/logger';
import type { ArtifactStore } from '../artifacts/store';
import type { LogStore } from '../logs/store';
import type { Runtime } from '../runtime/runtime';
import type { StepJob, StepOutcome } from './job';

export type { StepJob, StepOutcome } from './job';
export { ContainerGone } from './job';
export { hashContent, notebookHash } from './hash';

export interface StepExecutorDeps {
  runtime: Runtime;
  artifacts: ArtifactStore;
  logs: LogStore;
  logger: Logger;
}

/** Runs ONE step attempt in a container and reports its outcome. */
export class StepExecutor {
  constructor(readonly deps: StepExecutorDeps) {}

  /** Creates the container (labels io.conveyor.run/step/attempt), copies files in, starts, streams logs, waits, collects. */
  async run(job: StepJob, signal: AbortSignal, onStarted?: (containerId: string) => void): Promise<StepOutcome> {
    void job;
    void signal;
    void onStarted;
    throw new Error('StepExecutor.run is not implemented yet');
  }

  /** After a server crash: follow a container found by its labels to the end and collect its outcome. */
  async reattach(containerId: string, job: StepJob, signal: AbortSignal): Promise<StepOutcome> {
    void containerId;
    void job;
    void signal;
    throw new Error('StepExecutor.reattach is not implemented yet');
  }
}
