import type { RunState, StepState } from '../../runs/model';

export interface KeyValue {
  key: string;
  value: string;
}

/** MLflow's limits on a param value and a tag value (mlflow/utils/validation.py). */
const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null');

/** The tracked run's name: the Conveyor run's name, and the step's when the pipeline has several. */
export function stepRunName(run: RunState, step: StepState, single: boolean): string {
  return single ? run.name : `${run.name} / ${step.name}`;
}

/** The step's resolved params as MLflow params (strings; JSON for anything else). */
export function stepParams(step: StepState): KeyValue[] {
  return Object.entries(step.spec.params)
    .filter(([key]) => key.length > 0 && key.length <= 250)
    .map(([key, value]) => ({ key, value: text(value).slice(0, MAX_PARAM_VALUE) }));
}

/** The lineage tags of a step's tracked run (docs/dev/experiments-contract.md). */
export function lineageTags(run: RunState, step: StepState, name: string): KeyValue[] {
  const s = step.spec;
  const tags: Record<string, string | null | undefined> = {
    'mlflow.user': run.owner,
    'mlflow.runName': name,
    'mlflow.source.type': 'JOB',
    'mlflow.source.name': s.notebook?.path ?? s.command?.join(' '),
    'mlflow.source.git.commit': run.gitCommit,
    'conveyor.run_id': run.id,
    'conveyor.parent_run_id': run.parentId,
    'conveyor.step': step.name,
    'conveyor.attempt': String(step.attempt),
    'conveyor.notebook_hash': step.notebookHash ?? s.notebook?.sourceHash,
    'conveyor.image': s.image,
    'conveyor.image_digest': step.imageDigest ?? s.imageDigest,
    'conveyor.profile': s.resources.profile,
    'conveyor.cached_from': step.cachedFrom
  };
  return Object.entries(tags)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .map(([key, value]) => ({ key, value: value.slice(0, MAX_TAG_VALUE) }));
}

/** MLflow's status of a finished step. */
export function finalStatus(step: StepState): 'FINISHED' | 'FAILED' | 'KILLED' {
  if (step.status === 'succeeded') return 'FINISHED';
  if (step.status === 'failed') return 'FAILED';
  return 'KILLED';
}

/** Seconds from the step's first start to its end, or null without both. */
export function durationSeconds(step: StepState): number | null {
  const start = step.startedAt ? Date.parse(step.startedAt) : NaN;
  const end = step.finishedAt ? Date.parse(step.finishedAt) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : null;
}
