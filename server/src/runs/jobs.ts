import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../artifacts/store';
import { AppError } from '../core/errors';
import type { StepJob } from '../executor/job';
import type { RunState, StepState } from './model';
import type { Reservation } from './pool';

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The artifacts a step's inputs point to, from its upstream steps' outputs. */
export function inputHashes(step: StepState, steps: StepState[]): { name: string; hash: string }[] {
  // dataset:// inputs are mounted volumes (step.spec.datasets), not artifacts.
  const upstream = Object.entries(step.spec.inputs).filter(([name]) => !step.spec.datasets?.[name]);
  return upstream.map(([name, ref]) => {
    const dot = ref.indexOf('.');
    const from = ref.slice(0, dot);
    const output = ref.slice(dot + 1);
    const upstream = steps.find(s => s.name === from);
    const found = upstream?.outputs.find(o => o.name === output);
    if (!found) {
      throw new AppError(409, 'input_missing', `Step "${from}" did not produce the output "${output}" that input "${name}" needs`, {
        step: step.name,
        input: name,
        ref
      });
    }
    return { name, hash: found.hash };
  });
}

/**
 * The cache key of a step: sha256 of the image id, the notebook's source hash (or the command),
 * the params, the input artifacts, the files' contents and the env. Equal keys mean equal work.
 */
export function cacheKey(step: StepState, inputs: { name: string; hash: string }[]): string {
  const s = step.spec;
  const material = {
    image: s.imageDigest,
    notebook: s.notebook ? { name: s.notebook.name, source: s.notebook.sourceHash } : null,
    command: s.command ?? null,
    params: s.params,
    inputs: [...inputs].sort((a, b) => (a.name < b.name ? -1 : 1)).map(i => [i.name, i.hash]),
    files: [...s.files].sort((a, b) => (a.path < b.path ? -1 : 1)).map(f => [f.path, f.hash]),
    outputs: s.outputs,
    env: s.env,
    // Dataset inputs by immutable version id (absent without any, so other keys are unchanged).
    datasets: s.datasets ? Object.keys(s.datasets).sort().map(k => [k, s.datasets![k].version]) : undefined
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/** The executor's job for one attempt of a step. */
export async function buildJob(
  artifacts: ArtifactStore,
  run: RunState,
  step: StepState,
  steps: StepState[],
  reservation: Reservation
): Promise<StepJob> {
  const s = step.spec;
  return {
    runId: run.id,
    step: step.name,
    attempt: step.attempt,
    owner: run.owner,
    image: s.image,
    notebook: s.notebook ? { name: s.notebook.name, content: await artifacts.read(s.notebook.hash) } : undefined,
    command: s.command,
    params: s.params,
    files: s.files.map(f => ({ path: f.path, content: artifacts.path(f.hash) })),
    inputs: inputHashes(step, steps),
    outputs: s.outputs,
    env: {
      ...s.env,
      CONVEYOR_RUN_ID: run.id,
      CONVEYOR_STEP: step.name,
      CONVEYOR_ATTEMPT: String(step.attempt)
    },
    resources: {
      cpus: s.resources.cpus,
      memoryBytes: s.resources.memoryBytes,
      shmBytes: s.resources.shmBytes,
      gpuDeviceIds: reservation.gpuIds.length ? reservation.gpuIds : undefined
    },
    network: s.network,
    timeoutSeconds: s.timeoutSeconds,
    datasets: s.datasets ? Object.entries(s.datasets).map(([input, d]) => ({ input, ...d })) : undefined,
    sealed: s.sealed
  };
}
