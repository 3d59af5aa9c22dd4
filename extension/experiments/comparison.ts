import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';

import type {
  ExperimentMetricHistory,
  ExperimentRunDetail,
  ExperimentValues
} from '../../schema/generated/api';
import { json, type Fetcher } from './request';

/** What a keyed load has given so far. */
export interface ILoad<T> {
  value?: T;
  error?: string;
  loading: boolean;
}

export interface IHistorySeries {
  runId: string;
  name: string;
  points: { step: number; value: number | string }[];
}

/**
 * Data the comparison area shows, loaded on demand and cached by what was asked: metric
 * histories per run, column values of every matching run (scatter, parallel coordinates) and
 * run details (the detail pane, candidates). The charts themselves never fetch.
 */
export class ComparisonModel implements IDisposable {
  constructor(private readonly _fetch: Fetcher) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** One metric's history for several runs. */
  history(metric: string, runs: { runId: string; name: string }[]): ILoad<IHistorySeries[]> {
    const loads = runs.map(run =>
      this._get<ExperimentMetricHistory>(
        `history\u0000${run.runId}\u0000${metric}`,
        () =>
          this._fetch(
            `experiments/runs/${encodeURIComponent(run.runId)}/metrics/${encodeURIComponent(metric)}`
          )
      )
    );
    const error = loads.find(l => l.error)?.error;
    const loading = loads.some(l => l.loading);
    const value = runs.flatMap((run, i) => {
      const history = loads[i].value?.history;
      return history
        ? [{ runId: run.runId, name: run.name, points: history.map(p => ({ step: p.step, value: p.value })) }]
        : [];
    });
    return { value, error, loading };
  }

  /** Columns of every run matching a query (≤ 10,000). */
  values(experimentIds: string[], filter: string, columns: string[]): ILoad<ExperimentValues> {
    const body: Record<string, unknown> = { experimentIds, columns: columns.slice(0, 20) };
    if (filter) {
      body.filter = filter;
    }
    return this._get(`values\u0000${JSON.stringify(body)}`, () =>
      this._fetch('experiments/values', json('POST', body))
    );
  }

  detail(runId: string): ILoad<ExperimentRunDetail> {
    return this._get(`detail\u0000${runId}`, () =>
      this._fetch(`experiments/runs/${encodeURIComponent(runId)}`)
    );
  }

  /** Forget everything (new runs logged, candidates changed). */
  clear(): void {
    this._cache.clear();
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._cache.clear();
    Signal.clearData(this);
  }

  private _get<T>(key: string, load: () => Promise<unknown>): ILoad<T> {
    const hit = this._cache.get(key);
    if (hit) {
      return hit as ILoad<T>;
    }
    const entry: ILoad<unknown> = { loading: true };
    this._cache.set(key, entry);
    load().then(
      value => {
        if (this._cache.get(key) === entry) {
          this._cache.set(key, { value, loading: false });
          this._changed.emit();
        }
      },
      (error: unknown) => {
        if (this._cache.get(key) === entry) {
          this._cache.set(key, {
            error: error instanceof Error ? error.message : String(error),
            loading: false
          });
          this._changed.emit();
        }
      }
    );
    return entry as ILoad<T>;
  }

  private _cache = new Map<string, ILoad<unknown>>();
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}
