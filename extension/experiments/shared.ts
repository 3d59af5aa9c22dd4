import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ExperimentSummary } from '../../schema/generated/api';

/**
 * Whether the caller may change runs of these experiments (mark candidates): every one is in their
 * list and theirs, or Default ("0", where everyone writes their own runs). An experiment opened
 * through a comparison link is not in their list; one shared with them is someone else's: both
 * are read-only (the server refuses the writes). While the caller is unknown, only the first rule.
 */
export function writesExperiments(ids: readonly string[], experiments: readonly ExperimentSummary[], me: string | null): boolean {
  return ids.every(id => {
    const e = experiments.find(x => x.id === id);
    return !!e && (e.id === '0' || me === null || e.owner === me);
  });
}

/** The ids whose names are not known yet (experiments of others, opened through a link). */
export function missingNames(ids: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return ids.filter(id => !names.has(id));
}

/**
 * An experiment's name through the tracking API (MLflow `experiments/get`, which answers for
 * experiments shared with the caller by a comparison link); null when it does not answer.
 */
export async function fetchExperimentName(id: string, settings: ServerConnection.ISettings): Promise<string | null> {
  const url = URLExt.join(settings.baseUrl, 'conveyor/mlflow/api/2.0/mlflow/experiments/get') + `?experiment_id=${encodeURIComponent(id)}`;
  try {
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      return null;
    }
    const body = (await response.json()) as { experiment?: { name?: unknown } };
    return typeof body.experiment?.name === 'string' ? body.experiment.name : null;
  } catch {
    return null;
  }
}
