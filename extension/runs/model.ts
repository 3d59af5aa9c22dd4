import type { ISignal } from '@lumino/signaling';

import type { Run, RunStatus, ServerEvent } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/**
 * Where run events come from (the ConnectionModel; tests pass a fake).
 */
export interface IEventSource {
  readonly events: ISignal<unknown, ServerEvent>;
}

/**
 * The Runs section's state: the caller's runs (newest first), filters, the selected run and the
 * runs checked for a diff. Refreshed by `run` events and by a poll that stands by while hidden.
 */
export class RunsModel extends SectionModel {
  constructor(options: RunsModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:runs',
      interval: options.pollInterval ?? RunsModel.POLL_INTERVAL,
      max: 120_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
    this._events = options.events ?? null;
    this._debounce = options.eventDebounce ?? 250;
    this._events?.events.connect(this._onEvent, this);
  }

  /**
   * Every run loaded for the current status filter.
   */
  get runs(): readonly Run[] {
    return this._runs;
  }

  /**
   * The runs matching the status filter and the text filter (on name or id).
   */
  get filtered(): Run[] {
    const q = this._query.trim().toLowerCase();
    return this._runs.filter(
      run =>
        (!this._status || run.status === this._status) &&
        (!q || run.name.toLowerCase().includes(q) || run.id.toLowerCase().startsWith(q))
    );
  }

  get statusFilter(): RunStatus | '' {
    return this._status;
  }
  set statusFilter(status: RunStatus | '') {
    if (status === this._status) {
      return;
    }
    this._status = status;
    this._changed.emit();
    void this.refresh();
  }

  get query(): string {
    return this._query;
  }
  set query(query: string) {
    if (query === this._query) {
      return;
    }
    this._query = query;
    this._changed.emit();
  }

  get selectedId(): string | null {
    return this._selected;
  }
  set selectedId(id: string | null) {
    if (id === this._selected) {
      return;
    }
    this._selected = id;
    this._changed.emit();
  }

  /**
   * Runs checked for "Diff executed notebooks", in the order they were checked (at most two).
   */
  get checked(): readonly string[] {
    return this._checked;
  }

  toggleChecked(id: string): void {
    const index = this._checked.indexOf(id);
    if (index >= 0) {
      this._checked.splice(index, 1);
    } else {
      this._checked.push(id);
      if (this._checked.length > 2) {
        this._checked.shift();
      }
    }
    this._changed.emit();
  }





  find(id: string): Run | undefined {
    return this._runs.find(run => run.id === id);
  }



  /**
   * Put a run the user just submitted at the top without waiting for the next load.
   */
  add(run: Run): void {
    if (!this.find(run.id)) {
      this._runs = [run, ...this._runs];
      this._changed.emit();
    }
  }

  protected onDispose(): void {
    this._events?.events.disconnect(this._onEvent, this);
  }

  protected async load(): Promise<void> {
    const params = new URLSearchParams({ limit: String(RunsModel.PAGE_SIZE) });
    if (this._status) {
      params.set('status', this._status);
    }
    this._loading = true;
    try {
      const answer = await this._fetch<{ runs: Run[] }>(`runs?${params}`);
      if (this.isDisposed) {
        return;
      }
      this._runs = answer.runs;
      this._error = null;
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      if (!this.isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (event.type !== 'run') {
      return;
    }
    // Show the new status at once, then reload (debounced: a run emits bursts of step events).
    const run = this.find(event.runId);
    if (run && !event.step && run.status !== event.status) {
      this._runs = this._runs.map(r =>
        r.id === event.runId ? { ...r, status: event.status as RunStatus } : r
      );
      this._changed.emit();
    }
    this.refreshSoon(this._debounce);
  }

  private _checked: string[] = [];
  private _debounce: number;
  private _events: IEventSource | null;
  private _fetch: Fetcher;
  private _query = '';
  private _runs: Run[] = [];
  private _selected: string | null = null;
  private _status: RunStatus | '' = '';
}

export namespace RunsModel {
  export interface IOptions {
    requestAPI: Fetcher;
    events?: IEventSource;
    pollInterval?: number;
    autoStart?: boolean;
    eventDebounce?: number;
  }

  export const POLL_INTERVAL = 15_000;
  export const PAGE_SIZE = 200;
}
