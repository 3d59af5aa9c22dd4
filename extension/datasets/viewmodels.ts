import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';

import type { Fetcher, IDatasetId } from './api';
import { datasetKey, datasetPath, isForbidden, messageOf, normalizeLineage, versionPath } from './api';
import type { DatasetDiff, DatasetFiles, DatasetLineage, DatasetPreview, DatasetVersion } from './types';

/** One request's state: its answer, or why there is none (`forbidden`: the server's 403). */
export interface ILoad<T> {
  value: T | null;
  loading: boolean;
  error: string | null;
  forbidden: boolean;
}

const idle = <T>(): ILoad<T> => ({ value: null, loading: false, error: null, forbidden: false });

/** Base of the main-area models: `changed`, a guarded `run` per load, disposal. */
abstract class ViewModel implements IDisposable {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    this._disposed = true;
    Signal.clearData(this);
  }

  /** Runs `fn`, storing its answer or error in the load `set` returns. */
  protected async run<T>(set: (load: ILoad<T>) => void, prev: ILoad<T>, fn: () => Promise<T>): Promise<void> {
    set({ ...prev, loading: true });
    this._changed.emit();
    try {
      const value = await fn();
      set({ value, loading: false, error: null, forbidden: false });
    } catch (error) {
      set({ value: null, loading: false, error: messageOf(error), forbidden: isForbidden(error) });
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  protected _changed = new Signal<this, void>(this);
  private _disposed = false;
}

/**
 * One version in the main area: its record, then its files (a files version) or its preview
 * (a table: schema, stats, first rows) unless it is blinded, and its lineage.
 */
export class VersionModel extends ViewModel {
  constructor(options: { dataset: IDatasetId; ref: string; requestAPI: Fetcher }) {
    super();
    this.dataset = options.dataset;
    this.ref = options.ref;
    this._fetch = options.requestAPI;
  }

  readonly dataset: IDatasetId;
  readonly ref: string;

  get key(): string {
    return `${datasetKey(this.dataset)}@${this.ref}`;
  }

  get version(): ILoad<DatasetVersion> {
    return this._version;
  }
  get files(): ILoad<DatasetFiles> {
    return this._files;
  }
  get preview(): ILoad<DatasetPreview> {
    return this._preview;
  }
  get lineage(): ILoad<DatasetLineage> {
    return this._lineage;
  }

  /** Loads the version, then what it shows (nothing of a blinded one) and its lineage. */
  async load(): Promise<void> {
    const path = versionPath(this.dataset, this.ref);
    await this.run(l => (this._version = l), this._version, () => this._fetch<DatasetVersion>(path));
    const version = this._version.value;
    if (!version) {
      return;
    }
    const content = version.blinded
      ? Promise.resolve()
      : version.kind === 'table'
        ? this.run(l => (this._preview = l), this._preview, () => this._fetch<DatasetPreview>(`${path}/preview`))
        : this.run(l => (this._files = l), this._files, () => this._fetch<DatasetFiles>(`${path}/files`));
    await Promise.all([
      content,
      this.run(l => (this._lineage = l), this._lineage, async () =>
        normalizeLineage(await this._fetch<unknown>(`${path}/lineage`), version.id)
    )
    ]);
  }

  private _fetch: Fetcher;
  private _files = idle<DatasetFiles>();
  private _lineage = idle<DatasetLineage>();
  private _preview = idle<DatasetPreview>();
  private _version = idle<DatasetVersion>();
}

/** The diff of two versions of a dataset (`GET …/diff?from=&to=`). */
export class DiffModel extends ViewModel {
  constructor(options: { dataset: IDatasetId; from: string; to: string; requestAPI: Fetcher }) {
    super();
    this.dataset = options.dataset;
    this.from = options.from;
    this.to = options.to;
    this._fetch = options.requestAPI;
  }

  readonly dataset: IDatasetId;
  readonly from: string;
  readonly to: string;

  get key(): string {
    return `${datasetKey(this.dataset)}@${this.from}..${this.to}`;
  }

  get diff(): ILoad<DatasetDiff> {
    return this._diff;
  }

  async load(): Promise<void> {
    const query = `from=${encodeURIComponent(this.from)}&to=${encodeURIComponent(this.to)}`;
    await this.run(
      l => (this._diff = l),
      this._diff,
      () => this._fetch<DatasetDiff>(`${datasetPath(this.dataset)}/diff?${query}`)
    );
  }

  private _diff = idle<DatasetDiff>();
  private _fetch: Fetcher;
}
