import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';

import type {
  ExperimentRunGroup,
  ExperimentRunRow,
  ExperimentSearchResult
} from '../../schema/generated/api';
import { ConveyorAPIError } from '../core/api';
import {
  ATTRIBUTE_COLUMNS,
  defaultColumns,
  IColumn,
  nextOrderBy,
  parseColumn
} from './columns';
import { cloneState, json, positionOf, searchBody, type Fetcher, type IFilterError } from './request';
import { DisplayItem, GroupLayout, RunPager } from './rows';
import { emptyViewState, type ChartKind, type ViewState } from './viewstate';

type Keys = ExperimentSearchResult['keys'];

export type Pane = ChartKind | 'run' | 'candidates';

/**
 * The state of one Experiments view: the ViewState (what the link carries), the rows of the
 * current query paged in as the table scrolls, keys, groups, differing params, the keyboard
 * focus and the run whose details are open. Views render it; only the model fetches.
 */
export class ExperimentsModel implements IDisposable {
  constructor(options: ExperimentsModel.IOptions) {
    this._fetch = options.requestAPI;
    this._state = { ...emptyViewState(), ...options.state };
    this._filterDraft = this._state.filter;
    this._preferred = options.defaultColumns ?? [];
    this._debounce = options.filterDebounce ?? 400;
    this._pager = new RunPager(options.pageSize ?? 200, () => this._changed.emit());
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the ViewState changes (the link, the layout restorer). */
  get stateChanged(): ISignal<this, ViewState> {
    return this._stateChanged;
  }

  get viewState(): ViewState {
    return cloneState(this._state);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get pageSize(): number {
    return this._pager.pageSize;
  }

  /** Rows matching the filter; null before the first answer. */
  get total(): number | null {
    return this._total;
  }

  get keys(): Keys {
    return this._keys;
  }

  get differingParams(): readonly string[] {
    return this._differing;
  }

  get groups(): readonly ExperimentRunGroup[] {
    return this._layout.groups;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The last error that is not the filter's. */
  get error(): string | null {
    return this._error ?? this._pager.error;
  }

  get filterError(): IFilterError | null {
    return this._filterError;
  }

  /** The text in the filter box (applied after a pause or on Enter). */
  get filterDraft(): string {
    return this._filterDraft;
  }

  /** Page numbers fetched or being fetched for the current query. */
  get requestedPages(): number[] {
    return this._pager.requested;
  }

  /** Chosen data columns (the view's, else the defaults for the current keys). */
  get dataColumns(): string[] {
    if (this._state.columns.length) {
      return [...this._state.columns];
    }
    return defaultColumns(this._keys, this._preferred);
  }

  /** Columns shown: run attributes, then data columns minus identical params when asked. */
  get columns(): IColumn[] {
    const differing = new Set(this._differing);
    const data = this.dataColumns
      .map(id => parseColumn(id, this._keys.metrics))
      .filter((c): c is IColumn => c !== null)
      .filter(c => !this._state.onlyDiffering || c.kind !== 'param' || differing.has(c.key));
    const attrs = ATTRIBUTE_COLUMNS.map(id => parseColumn(id)!);
    return [...attrs, ...data];
  }

  /** Rows plus group headers. */
  get displayCount(): number {
    return this._layout.count;
  }

  itemAt(display: number): DisplayItem {
    return this._layout.itemAt(display);
  }

  rowAt(index: number): ExperimentRunRow | undefined {
    return this._pager.rowAt(index);
  }

  /** Make sure the rows shown at display indexes `first..last` are (being) fetched. */
  ensureVisible(first: number, last: number): void {
    if (this._total === null) {
      return;
    }
    const [from, to] = this._layout.rowRange(first, last);
    this._pager.ensure(from, to, this._total);
  }

  // ---- view state -----------------------------------------------------------------------

  setFilterDraft(text: string): void {
    this._filterDraft = text;
    this._changed.emit();
    window.clearTimeout(this._filterTimer);
    this._filterTimer = window.setTimeout(() => this.applyFilter(), this._debounce);
  }

  /** Apply the filter box now (Enter). */
  applyFilter(): void {
    window.clearTimeout(this._filterTimer);
    if (this._filterDraft.trim() === this._state.filter.trim() && !this._filterError) {
      return;
    }
    this._update({ filter: this._filterDraft.trim() });
  }

  sortBy(column: IColumn): void {
    this._update({ orderBy: nextOrderBy(this._state.orderBy, column) });
  }

  setGroupBy(key: string): void {
    this._update({ groupBy: key });
  }

  setColumns(columns: string[]): void {
    this._update({ columns });
  }

  /** Add or remove one data column (starting from the current defaults). */
  toggleColumn(id: string): void {
    const columns = this.dataColumns;
    const i = columns.indexOf(id);
    if (i === -1) {
      columns.push(id);
    } else {
      columns.splice(i, 1);
    }
    this._update({ columns });
  }

  setOnlyDiffering(on: boolean): void {
    // Only the shown columns change: no new query.
    this._update({ onlyDiffering: on }, false);
  }

  setChart(chart: ChartKind | undefined, chartColumns?: string[]): void {
    const keep = chart === this._state.chart ? this._state.chartColumns : undefined;
    this._update({ chart, chartColumns: chartColumns ?? keep }, false);
  }

  setChartColumns(chartColumns: string[]): void {
    this._update({ chartColumns }, false);
  }

  /** Replace the whole view (a link opened in this view). */
  setViewState(state: ViewState): void {
    this._state = cloneState(state);
    this._filterDraft = state.filter;
    this._stateChanged.emit(this.viewState);
    void this.reload();
  }

  // ---- selection and focus ----------------------------------------------------------------

  get selected(): readonly string[] {
    return this._state.selected;
  }

  isSelected(runId: string): boolean {
    return this._state.selected.includes(runId);
  }

  /** Selected runs among the loaded rows, in the order they were selected. */
  get selectedRows(): ExperimentRunRow[] {
    const byId = new Map<string, ExperimentRunRow>();
    for (const row of this._pager.loaded()) {
      byId.set(row.runId, row);
    }
    return this._state.selected.map(id => byId.get(id)).filter((r): r is ExperimentRunRow => !!r);
  }

  toggleSelected(runId: string, display?: number): void {
    const selected = this.isSelected(runId)
      ? this._state.selected.filter(id => id !== runId)
      : [...this._state.selected, runId];
    if (display !== undefined) {
      this._anchor = display;
    }
    this._update({ selected }, false);
  }

  /** Shift-click / Shift+Space: select every loaded run from the anchor to `display`. */
  selectRange(display: number): void {
    const anchor = this._anchor ?? display;
    const [from, to] = this._layout.rowRange(Math.min(anchor, display), Math.max(anchor, display));
    const ids = this._pager.loadedBetween(from, to).map(r => r.runId);
    const selected = [...this._state.selected];
    for (const id of ids) {
      if (!selected.includes(id)) {
        selected.push(id);
      }
    }
    this._update({ selected }, false);
  }

  setSelected(runIds: string[]): void {
    this._update({ selected: [...new Set(runIds)] }, false);
  }

  clearSelection(): void {
    this._update({ selected: [] }, false);
  }

  /** Display index of the keyboard focus. */
  get focus(): number {
    return this._focus;
  }

  setFocus(display: number): void {
    const clamped = Math.max(0, Math.min(display, this.displayCount - 1));
    if (clamped !== this._focus) {
      this._focus = clamped;
      this._changed.emit();
    }
  }

  /** The run whose details are shown (Enter on a row). */
  get detailRunId(): string | null {
    return this._detail;
  }

  openDetail(runId: string | null): void {
    this._detail = runId;
    if (runId) {
      this._pane = 'run';
      if (this._state.chart) {
        this._update({ chart: undefined }, false);
        return;
      }
    }
    this._changed.emit();
  }

  /** What the comparison area shows: a chart kept in the ViewState, the run, candidates. */
  get pane(): Pane | null {
    return this._state.chart ?? this._pane;
  }

  setPane(pane: Pane | null): void {
    if (pane === 'history' || pane === 'scatter' || pane === 'parallel') {
      this._pane = null;
      this.setChart(pane);
    } else {
      this._pane = pane;
      this._update({ chart: undefined }, false);
    }
  }

  // ---- actions ----------------------------------------------------------------------------

  /** Mark or unmark runs as candidates; rows update in place. */
  async markCandidate(runIds: string[], candidate: boolean): Promise<void> {
    await Promise.all(
      runIds.map(async id => {
        await this._fetch(`experiments/runs/${encodeURIComponent(id)}/candidate`, json('PUT', { candidate }));
        this._pager.update(id, row => ({ ...row, candidate }));
      })
    );
    this._changed.emit();
  }

  /** Run the current query from its first page. */
  async reload(): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const first = await this._fetch<ExperimentSearchResult>(
        'experiments/search',
        json('POST', { ...searchBody(this._state, this._state.columns.length ? this.dataColumns : null), offset: 0, limit: this.pageSize })
      );
      if (generation !== this._generation) {
        return;
      }
      // Until this answer the table keeps the previous rows (a bad filter leaves them shown).
      this._total = first.total;
      this._keys = first.keys;
      this._differing = first.differingParams;
      this._layout = new GroupLayout(first.total, this._state.groupBy ? first.groups ?? [] : []);
      // Later pages name their columns, now that the keys are known.
      const body = searchBody(this._state, this.dataColumns);
      this._pager.reset((offset, limit) =>
        this._fetch<ExperimentSearchResult>('experiments/search', json('POST', { ...body, offset, limit }))
      );
      this._pager.put(0, first.runs);
      this._error = null;
      this._filterError = null;
      this._focus = Math.min(this._focus, Math.max(0, this._layout.count - 1));
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      if (error instanceof ConveyorAPIError && error.code === 'invalid_filter') {
        this._filterError = { message: error.message, position: positionOf(error.details) };
      } else {
        this._error = error instanceof Error ? error.message : String(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._filterTimer);
    this._generation++;
    this._pager.reset(null);
    Signal.clearData(this);
  }

  private _update(change: Partial<ViewState>, requery = true): void {
    this._state = { ...this._state, ...change };
    if (change.chart === undefined && 'chart' in change) {
      delete this._state.chart;
    }
    this._stateChanged.emit(this.viewState);
    this._changed.emit();
    if (requery) {
      void this.reload();
    }
  }

  private _anchor: number | null = null;
  private _pane: Pane | null = null;
  private _changed = new Signal<this, void>(this);
  private _debounce: number;
  private _detail: string | null = null;
  private _differing: string[] = [];
  private _error: string | null = null;
  private _fetch: Fetcher;
  private _filterDraft: string;
  private _filterError: IFilterError | null = null;
  private _filterTimer = 0;
  private _focus = 0;
  private _generation = 0;
  private _isDisposed = false;
  private _keys: Keys = { params: [], metrics: [], tags: [] };
  private _layout = new GroupLayout(0);
  private _loading = false;
  private _pager: RunPager;
  private _preferred: string[];
  private _state: ViewState;
  private _stateChanged = new Signal<this, ViewState>(this);
  private _total: number | null = null;
}

export namespace ExperimentsModel {
  export interface IOptions {
    requestAPI: Fetcher;
    state: Partial<ViewState> & { experimentIds: string[] };
    /** Rows per request (settings: pageSize). */
    pageSize?: number;
    /** Columns shown when the view names none (settings: defaultColumns). */
    defaultColumns?: string[];
    /** Pause after typing before the filter applies, ms. */
    filterDebounce?: number;
  }
}

