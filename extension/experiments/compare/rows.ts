/**
 * The rows of the candidate comparison: one per run field, param, metric (latest, min, max),
 * tag, lineage entry and registered model, with whether the runs differ and which run is best.
 */
import type { ExperimentRunDetail } from '../../../schema/generated/api';
import { toNumber } from '../charts/values';

/** A registered model version made from a run, when the payload carries them. */
export interface ICandidateModelVersion {
  name: string;
  version: string | number;
  aliases?: string[];
  status?: string;
}

/** A run detail, optionally with the model versions registered from it. */
export type CandidateRun = ExperimentRunDetail & {
  models?: ICandidateModelVersion[];
  modelVersions?: ICandidateModelVersion[];
};

export type Section = 'run' | 'params' | 'metrics' | 'tags' | 'lineage' | 'models';

export interface ICompareRow {
  section: Section;
  key: string;
  /** One cell per run; null when the run has no such entry. */
  cells: (string | null)[];
  differs: boolean;
  /** Indices of the runs with the best value (metrics only). */
  best: number[];
  /** For metrics: lower values are better. */
  lowerIsBetter?: boolean;
}

const LOWER_IS_BETTER = /(loss|err|error|mse|mae|rmse|mape|perplexity|time|duration|latency|cost|wer|cer)/i;

/** Whether lower values of a metric are better, guessed from its name (loss, error, time…). */
export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.test(metric);
}

/** Tags that are Conveyor's bookkeeping, shown in other rows already. */
const HIDDEN_TAGS = new Set(['conveyor.candidate', 'mlflow.runName', 'mlflow.user']);

function keys(objects: ({ [k: string]: unknown } | undefined)[]): string[] {
  const all = new Set<string>();
  for (const o of objects) {
    for (const [k, v] of Object.entries(o ?? {})) {
      if (v !== undefined) all.add(k);
    }
  }
  return [...all].sort((a, b) => a.localeCompare(b));
}

function differs(cells: (string | null)[]): boolean {
  return cells.some(c => c !== cells[0]);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Indices of the best finite values (ties all win); none when fewer than two runs have one. */
export function bestOf(values: (number | string | null | undefined)[], lower: boolean): number[] {
  const nums = values.map(v => (v === null || v === undefined ? null : toNumber(v)));
  const finite = nums.filter((n): n is number => n !== null && Number.isFinite(n));
  if (finite.length < 2 || finite.every(n => n === finite[0])) return [];
  const target = lower ? Math.min(...finite) : Math.max(...finite);
  return nums.flatMap((n, i) => (n === target ? [i] : []));
}

function modelsOf(run: CandidateRun): ICandidateModelVersion[] {
  return run.models ?? run.modelVersions ?? [];
}

export function compareRows(runs: readonly CandidateRun[]): ICompareRow[] {
  const rows: ICompareRow[] = [];
  const push = (section: Section, key: string, cells: (string | null)[], extra: Partial<ICompareRow> = {}) =>
    rows.push({ section, key, cells, differs: differs(cells), best: [], ...extra });

  push('run', 'experiment', runs.map(r => r.run.experimentName));
  push('run', 'status', runs.map(r => r.run.status));
  push('run', 'owner', runs.map(r => r.run.owner));
  push('run', 'start', runs.map(r => new Date(r.run.startTime).toISOString().replace('T', ' ').slice(0, 19)));
  push(
    'run',
    'duration (s)',
    runs.map(r => (r.run.endTime === null ? null : String(Math.round((r.run.endTime - r.run.startTime) / 100) / 10)))
  );

  for (const key of keys(runs.map(r => r.run.params))) {
    push('params', key, runs.map(r => text(r.run.params[key])));
  }
  for (const key of keys(runs.map(r => r.run.metrics))) {
    const summaries = runs.map(r => r.run.metrics[key]);
    const lower = lowerIsBetter(key);
    push('metrics', key, summaries.map(s => text(s?.value)), {
      best: bestOf(summaries.map(s => s?.value), lower),
      lowerIsBetter: lower
    });
    push('metrics', `${key} (min)`, summaries.map(s => text(s?.min)), {
      best: lower ? bestOf(summaries.map(s => s?.min), true) : []
    });
    push('metrics', `${key} (max)`, summaries.map(s => text(s?.max)), {
      best: lower ? [] : bestOf(summaries.map(s => s?.max), false)
    });
  }
  for (const key of keys(runs.map(r => r.run.tags)).filter(k => !HIDDEN_TAGS.has(k))) {
    push('tags', key, runs.map(r => text(r.run.tags[key])));
  }
  const lineage: [string, (r: CandidateRun) => unknown][] = [
    ['notebook hash', r => r.lineage.notebookHash],
    ['git commit', r => r.lineage.gitCommit],
    ['image digest', r => r.lineage.imageDigest],
    ['profile', r => r.lineage.profile],
    ['cost (USD)', r => r.lineage.cost],
    ['datasets', r => (r.lineage.datasets.length ? r.lineage.datasets.map(d => `${d.name}@${d.digest.slice(0, 12)}`).join(', ') : null)],
    ['pipeline run', r => (r.lineage.conveyorRunId ? `${r.lineage.conveyorRunId}${r.lineage.step ? ` / ${r.lineage.step}` : ''}` : null)],
    ['user', r => r.lineage.user]
  ];
  for (const [key, get] of lineage) {
    const cells = runs.map(r => text(get(r)));
    if (cells.some(c => c !== null)) {
      push('lineage', key, cells, key === 'cost (USD)' ? { best: bestOf(runs.map(r => r.lineage.cost), true) } : {});
    }
  }
  if (runs.some(r => modelsOf(r).length)) {
    push(
      'models',
      'registered versions',
      runs.map(r => {
        const versions = modelsOf(r).map(
          m => `${m.name} v${m.version}${m.aliases?.length ? ` (${m.aliases.map(a => `@${a}`).join(', ')})` : ''}`
        );
        return versions.length ? versions.join(', ') : null;
      })
    );
  }
  return rows;
}
