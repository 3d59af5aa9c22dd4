/**
 * The Experiments view state (docs/dev/experiments-contract.md) and its shareable link:
 * `<lab url>?conveyor-experiments=<base64url(JSON ViewState)>`.
 */

export type ChartKind = 'history' | 'scatter' | 'parallel';

export interface ViewState {
  experimentIds: string[];
  /** MLflow filter grammar; '' = every run. */
  filter: string;
  /** MLflow order_by clauses, e.g. `metrics.loss ASC`. */
  orderBy: string[];
  /** A param key, '' = no grouping. */
  groupBy: string;
  /** Shown columns (`params.<k>`, `metrics.<k>`, `metrics.<k>.min|max`, `tags.<k>`); [] = default. */
  columns: string[];
  /** Hide param columns whose value is the same in every matching run. */
  onlyDiffering: boolean;
  /** Selected run ids. */
  selected: string[];
  chart?: ChartKind;
  chartColumns?: string[];
}

/** Query parameter of the shareable link. */
export const LINK_PARAM = 'conveyor-experiments';

export function emptyViewState(experimentIds: string[] = []): ViewState {
  return {
    experimentIds: [...experimentIds],
    filter: '',
    orderBy: [],
    groupBy: '',
    columns: [],
    onlyDiffering: false,
    selected: []
  };
}

/** Base64url (RFC 4648 §5, no padding) of a string's UTF-8 bytes. */
export function toBase64Url(text: string): string {
  const binary = encodeURIComponent(text).replace(/%([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16))
  );
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Inverse of toBase64Url; throws on malformed input. */
export function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) {
    throw new Error('not base64url');
  }
  const padded = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
  let escaped = '';
  for (let i = 0; i < binary.length; i++) {
    escaped += '%' + binary.charCodeAt(i).toString(16).padStart(2, '0');
  }
  return decodeURIComponent(escaped);
}

export function encodeViewState(state: ViewState): string {
  return toBase64Url(JSON.stringify(normalize(state)));
}

/**
 * Decode a link's view state; `null` when it is not one (a hand-edited or truncated link must
 * never break the page).
 */
export function decodeViewState(encoded: string): ViewState | null {
  let data: unknown;
  try {
    data = JSON.parse(fromBase64Url(encoded));
  } catch {
    return null;
  }
  return parseViewState(data);
}

/** Check an untrusted value against the ViewState shape. */
export function parseViewState(data: unknown): ViewState | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return null;
  }
  const d = data as Record<string, unknown>;
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every(x => typeof x === 'string');
  if (!strings(d.experimentIds) || d.experimentIds.length === 0) {
    return null;
  }
  const state = emptyViewState(d.experimentIds);
  if (typeof d.filter === 'string') {
    state.filter = d.filter;
  }
  if (strings(d.orderBy)) {
    state.orderBy = d.orderBy;
  }
  if (typeof d.groupBy === 'string') {
    state.groupBy = d.groupBy;
  }
  if (strings(d.columns)) {
    state.columns = d.columns;
  }
  state.onlyDiffering = d.onlyDiffering === true;
  if (strings(d.selected)) {
    state.selected = d.selected;
  }
  if (d.chart === 'history' || d.chart === 'scatter' || d.chart === 'parallel') {
    state.chart = d.chart;
  }
  if (strings(d.chartColumns)) {
    state.chartColumns = d.chartColumns;
  }
  return state;
}

/** The shareable link of a view: `<lab url>?conveyor-experiments=<base64url(JSON)>`. */
export function viewLink(labUrl: string, state: ViewState): string {
  const url = new URL(labUrl);
  url.searchParams.set(LINK_PARAM, encodeViewState(state));
  return url.toString();
}

/** The view state carried by a URL's query (`?conveyor-experiments=`), if any. */
export function viewStateFromSearch(search: string): ViewState | null {
  const raw = new URLSearchParams(search).get(LINK_PARAM);
  return raw ? decodeViewState(raw) : null;
}

/** A copy with only the contract's keys, in a stable order (equal views give equal links). */
function normalize(state: ViewState): ViewState {
  const out: ViewState = {
    experimentIds: [...state.experimentIds],
    filter: state.filter,
    orderBy: [...state.orderBy],
    groupBy: state.groupBy,
    columns: [...state.columns],
    onlyDiffering: state.onlyDiffering,
    selected: [...state.selected]
  };
  if (state.chart) {
    out.chart = state.chart;
  }
  if (state.chartColumns) {
    out.chartColumns = [...state.chartColumns];
  }
  return out;
}
