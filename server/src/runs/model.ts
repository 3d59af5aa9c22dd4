import type { Run, RunStatus, RunStep } from '../../../schema/generated/api';

export type StepStatus = RunStep['status'];

export const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);
export const TERMINAL_STEP: ReadonlySet<StepStatus> = new Set(['succeeded', 'failed', 'cancelled', 'skipped']);

/** Resources of one step, resolved from its profile and explicit fields. */
export interface StepResources {
  /** The profile it was resolved from (its price meters the step). */
  profile?: string;
  cpus?: number;
  memoryBytes?: number;
  gpus?: number;
  shmBytes?: number;
}

/**
 * Everything a step needs to run, resolved at submission: the notebook and files are snapshotted
 * into the artifact store, so a rerun or a recovery after a crash runs exactly what was submitted.
 */
export interface StepSpec {
  image: string;
  /** The engine's image id (sha256:…): part of the cache key. */
  imageDigest: string;
  /** `hash`: artifact of the bytes; `sourceHash`: notebookHash (cell sources only), part of the cache key. */
  notebook?: { name: string; path: string; hash: string; sourceHash: string };
  command?: string[];
  params: Record<string, unknown>;
  files: { path: string; hash: string }[];
  /** Input name → `<step>.<output>` or `dataset://[<owner>/]<name>@<version|tag>` (resolved in `datasets`). */
  inputs: Record<string, string>;
  /** datasets/runs/: the immutable dataset versions of `dataset://` inputs, resolved at submit. */
  datasets?: Record<string, StepDataset>;
  /** datasets/blinding/: the step mounts a blinded version, so only its metrics leave. */
  sealed?: boolean;
  outputs: string[];
  env: Record<string, string>;
  resources: StepResources;
  network: boolean;
  timeoutSeconds?: number;
  retry: { attempts: number; backoffSeconds: number; onExitCodes?: number[] };
  cache: boolean;
}

/** A dataset version a step mounts read-only at inputs/<input> (datasets/runs/). */
export interface StepDataset {
  owner: string;
  name: string;
  /** The 12-hex version id: part of the cache key. */
  version: string;
  /** The version's root object (`<md5>.dir` or `<md5>`). */
  md5: string;
  blinded: boolean;
  /** A table version (mounted as data.csv and data.parquet); absent for files. */
  kind?: 'table';
  /** The file name of a one-file version (its folder is mounted). */
  fileName?: string;
  /** A blinded version: the approved step fingerprint (datasets/blinding/), checked again at start. */
  fingerprint?: string;
}

/** A step as the scheduler sees it (row + parsed JSON). */
export interface StepState {
  runId: string;
  name: string;
  position: number;
  status: StepStatus;
  attempt: number;
  dependsOn: string[];
  spec: StepSpec;
  containerId: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  error: RunStep['error'];
  cacheKey: string | null;
  cachedFrom: string | null;
  imageDigest: string | null;
  notebookHash: string | null;
  executedNotebook: string | null;
  outputs: RunStep['outputs'];
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunState {
  id: string;
  owner: string;
  name: string;
  experiment: string;
  status: RunStatus;
  pipeline: Run['pipeline'];
  params: Record<string, unknown>;
  sweep: { maxParallel: number } | null;
  submit: Record<string, unknown>;
  parentId: string | null;
  resumedFrom: string | null;
  cache: boolean;
  sourcePath: string | null;
  gitCommit: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toApiStep(step: StepState, queuePosition?: number | null): RunStep {
  return {
    name: step.name,
    status: step.status,
    attempt: step.attempt,
    dependsOn: step.dependsOn,
    queuePosition: step.status === 'queued' ? (queuePosition ?? null) : null,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    exitCode: step.exitCode,
    oomKilled: step.oomKilled,
    containerId: step.containerId,
    error: step.error,
    cachedFrom: step.cachedFrom,
    imageDigest: step.imageDigest,
    notebookHash: step.notebookHash,
    cacheKey: step.cacheKey,
    executedNotebook: step.executedNotebook,
    outputs: step.outputs
  };
}

export function toApiRun(run: RunState, steps: RunStep[], opts: { withPipeline: boolean }): Run {
  const out: Run = {
    id: run.id,
    name: run.name,
    owner: run.owner,
    experiment: run.experiment,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    params: run.params,
    parentId: run.parentId,
    resumedFrom: run.resumedFrom,
    error: run.error,
    source: { ...(run.sourcePath ? { path: run.sourcePath } : {}), gitCommit: run.gitCommit },
    steps
  };
  if (opts.withPipeline && run.pipeline) {
    out.pipeline = run.pipeline;
  }
  return out;
}

/** One line a notification can show: the failing cell's `ename: evalue`, else the last log lines. */
export function errorSummary(error: RunStep['error']): string | null {
  if (!error) {
    return null;
  }
  if (error.ename) {
    return `${error.ename}: ${error.evalue ?? ''}`.trim();
  }
  if (error.lastLines?.length) {
    return error.lastLines.slice(-5).join('\n');
  }
  return error.message;
}
