import type { ExperimentSearch } from '../../schema/generated/api';
import type { ViewState } from './viewstate';

/** `IConveyor.requestAPI`: a path below `/conveyor/api/v1`. */
export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/** A malformed filter: the server's message and, when it says, the character position. */
export interface IFilterError {
  message: string;
  position: number | null;
}

export function json(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
}

/**
 * The body of `POST /experiments/search` for a view (without offset and limit). `columns` null:
 * ask for none, so the server sends every key's value and the default columns can follow the
 * keys of this query rather than the last one.
 */
export function searchBody(state: ViewState, columns: string[] | null): ExperimentSearch {
  const body: ExperimentSearch = {
    experimentIds: state.experimentIds as ExperimentSearch['experimentIds']
  };
  if (state.filter) {
    body.filter = state.filter;
  }
  if (state.orderBy.length) {
    body.orderBy = state.orderBy.slice(0, 10) as ExperimentSearch['orderBy'];
  }
  if (state.groupBy) {
    body.groupBy = state.groupBy;
  }
  if (columns) {
    const all = [...columns];
    // The group value is shown in its column even when not chosen.
    if (state.groupBy && !all.includes(`params.${state.groupBy}`)) {
      all.push(`params.${state.groupBy}`);
    }
    body.columns = all.slice(0, 200);
  }
  return body;
}

/** The offending position in an invalid_filter error's details, whatever the server calls it. */
export function positionOf(details: unknown): number | null {
  const d = (details ?? {}) as Record<string, unknown>;
  for (const key of ['position', 'offset', 'index', 'column']) {
    if (typeof d[key] === 'number') {
      return d[key] as number;
    }
  }
  return null;
}

export function cloneState(state: ViewState): ViewState {
  return JSON.parse(JSON.stringify(state)) as ViewState;
}
