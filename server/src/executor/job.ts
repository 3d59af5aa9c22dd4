import type { RunStep } from '../../../schema/generated/api';

/** One attempt of one step, everything resolved: what the executor runs. */
export interface StepJob {
  runId: string;
  step: string;
  attempt: number;
  owner: string;
  /** Resolved image reference. */
  image: string;
  /** Copied to the working dir as `name` and run with papermill. */
  notebook?: { name: string; content: Buffer };
  /** Run instead of a notebook. */
  command?: string[];
  /** Injected papermill-style (a params YAML file given to papermill -f). */
  params: Record<string, unknown>;
  /** Relative paths in the working dir; content is the bytes (Buffer) or a host path (string). */
  files: { path: string; content: Buffer | string }[];
  /** Artifacts copied to inputs/<name>. */
  inputs: { name: string; hash: string }[];
  /** Dataset versions mounted read-only at inputs/<input> (datasets/runs/ provides the volumes). */
  datasets?: ({ input: string } & import('../runs/model').StepDataset)[];
  /** A blinded version is mounted: only metrics leave (no outputs, executed notebook, logs or error lines). */
  sealed?: boolean;
  /** Paths relative to the working dir, captured after exit and stored content-addressed. */
  outputs: string[];
  env: Record<string, string>;
  resources: { cpus?: number; memoryBytes?: number; gpuDeviceIds?: string[]; shmBytes?: number };
  network: boolean;
  /** The internal step network (tracking listener on its gateway), when there is one. */
  stepNetwork?: string;
  timeoutSeconds?: number;
}

export type StepError = NonNullable<RunStep['error']>;

export interface StepOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  exitCode: number | null;
  oomKilled: boolean;
  timedOut: boolean;
  /** Artifact hash of the executed notebook. */
  executedNotebook: string | null;
  outputs: { name: string; hash: string; size: number }[];
  /** Failing cell, ename/evalue/traceback, last log lines. */
  error: RunStep['error'];
  imageDigest: string;
  containerId: string;
  /** When the container exited, as the engine says (metering a step followed again after a restart). */
  finishedAt?: string | null;
  /** Milliseconds per phase of run() (prepare, create, copyIn, start, execute, collect, remove); not part of the contract. */
  timings?: Record<string, number>;
}

/** reattach found no container: the scheduler retries the step. */
export class ContainerGone extends Error {
  readonly code = 'container_gone';
  constructor(readonly containerId: string) {
    super(`container ${containerId.slice(0, 12)} is gone`);
    this.name = 'ContainerGone';
  }
}

/** The container's working directory. */
export const WORK_DIR = '/home/conveyor/work';
/** Where the executor keeps its own files inside the working dir. */
export const META_DIR = '.conveyor';
export const EXECUTED_NOTEBOOK = `${META_DIR}/executed.ipynb`;
export const PARAMS_FILE = `${META_DIR}/params.yaml`;
