import { SectionModel } from '../core/sectionModel';
import type { Fetcher, IDatasetId } from './api';
import { datasetKey, datasetPath, json, messageOf, newestFirst, versionPath } from './api';
import type { DatasetDetail, DatasetList, DatasetSummary, DatasetVersion } from './types';

/** A dataset's versions as last loaded, or why they are not there. */
export interface IVersionsLoad {
  detail: DatasetDetail | null;
  loading: boolean;
  error: string | null;
}

/** A version picked for a diff. */
export interface IDiffPick {
  dataset: string;
  version: string;
}

/**
 * The datasets the caller can see (`GET /datasets`), polled while the section is shown; the
 * versions of the expanded ones (`GET /datasets/:owner/:name`, reloaded with each poll); up to
 * two versions of one dataset picked for a diff; tagging.
 */
export class DatasetsModel extends SectionModel {
  constructor(options: { requestAPI: Fetcher; autoStart?: boolean; interval?: number }) {
    super({
      name: 'jupyterlab-conveyor:datasets',
      interval: options.interval ?? 15_000,
      max: 300_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
  }

  get datasets(): readonly DatasetSummary[] {
    return this._datasets;
  }

  isExpanded(key: string): boolean {
    return this._expanded.has(key);
  }

  /** The versions of an expanded dataset, newest first. */
  versions(key: string): IVersionsLoad {
    return this._versions.get(key) ?? { detail: null, loading: false, error: null };
  }

  /** Expands (and loads the versions of) a dataset, or collapses it. */
  toggle(id: IDatasetId): void {
    const key = datasetKey(id);
    if (this._expanded.has(key)) {
      this._expanded.delete(key);
      this._changed.emit();
      return;
    }
    this._expanded.add(key);
    this._changed.emit();
    void this._loadVersions(id);
  }

  /** Expands a dataset (e.g. after registering a version of it) and reloads everything. */
  async reveal(id: IDatasetId): Promise<void> {
    this._expanded.add(datasetKey(id));
    await this.refresh();
  }

  /** The versions picked for a diff (at most two, same dataset), in the order picked. */
  get diffPicks(): readonly IDiffPick[] {
    return this._picks;
  }

  isPicked(dataset: string, version: string): boolean {
    return this._picks.some(p => p.dataset === dataset && p.version === version);
  }

  /**
   * Picks or unpicks a version for a diff. Picking in another dataset starts over; a third pick
   * drops the oldest one.
   */
  togglePick(dataset: string, version: string): void {
    if (this.isPicked(dataset, version)) {
      this._picks = this._picks.filter(p => !(p.dataset === dataset && p.version === version));
    } else {
      const same = this._picks.filter(p => p.dataset === dataset);
      this._picks = [...same, { dataset, version }].slice(-2);
    }
    this._changed.emit();
  }

  clearPicks(): void {
    this._picks = [];
    this._changed.emit();
  }

  /**
   * The two picked versions as `{from, to}`, older first, or null unless two are picked.
   */
  diffPair(): { dataset: string; from: string; to: string } | null {
    if (this._picks.length !== 2) {
      return null;
    }
    const [a, b] = this._picks;
    const versions = this._versions.get(a.dataset)?.detail?.versions ?? [];
    const created = (id: string) => versions.find(v => v.id === id)?.createdAt ?? '';
    const [from, to] = created(a.version) <= created(b.version) ? [a, b] : [b, a];
    return { dataset: a.dataset, from: from.version, to: to.version };
  }

  /** Points a tag at a version (moves it if it was elsewhere) and reloads the dataset. */
  async tag(id: IDatasetId, version: string, tag: string): Promise<void> {
    await this._fetch(`${datasetPath(id)}/tags/${encodeURIComponent(tag)}`, json('PUT', { version }));
    await this._loadVersions(id);
  }

  /** Removes a tag and reloads the dataset. */
  async untag(id: IDatasetId, tag: string): Promise<void> {
    await this._fetch(`${datasetPath(id)}/tags/${encodeURIComponent(tag)}`, json('DELETE'));
    await this._loadVersions(id);
  }

  /** A version by id or tag (for commands called with a reference). */
  async version(id: IDatasetId, ref: string): Promise<DatasetVersion> {
    return this._fetch<DatasetVersion>(versionPath(id, ref));
  }

  protected async load(): Promise<void> {
    this._loading = true;
    try {
      const answer = await this._fetch<DatasetList>('datasets');
      this._datasets = [...answer.datasets].sort((a, b) =>
        datasetKey(a).localeCompare(datasetKey(b))
      );
      this._error = null;
      const keys = new Set(this._datasets.map(datasetKey));
      for (const key of [...this._expanded]) {
        if (!keys.has(key)) {
          this._expanded.delete(key);
          this._versions.delete(key);
        }
      }
      this._picks = this._picks.filter(p => keys.has(p.dataset));
    } catch (error) {
      this._error = messageOf(error);
      throw error;
    } finally {
      this._loading = false;
      this._changed.emit();
    }
    const byKey = new Map(this._datasets.map(d => [datasetKey(d), d]));
    await Promise.all(
      [...this._expanded].map(key => this._loadVersions(byKey.get(key)!))
    );
  }

  private async _loadVersions(id: IDatasetId): Promise<void> {
    const key = datasetKey(id);
    const before = this.versions(key);
    this._versions.set(key, { ...before, loading: true });
    this._changed.emit();
    try {
      const detail = await this._fetch<DatasetDetail>(datasetPath(id));
      const versions = newestFirst(detail.versions ?? []);
      this._versions.set(key, { detail: { ...detail, versions }, loading: false, error: null });
      const ids = new Set(versions.map(v => v.id));
      this._picks = this._picks.filter(p => p.dataset !== key || ids.has(p.version));
    } catch (error) {
      this._versions.set(key, { detail: before.detail, loading: false, error: messageOf(error) });
    }
    this._changed.emit();
  }

  private _datasets: DatasetSummary[] = [];
  private _expanded = new Set<string>();
  private _fetch: Fetcher;
  private _picks: IDiffPick[] = [];
  private _versions = new Map<string, IVersionsLoad>();
}

/** The tags of a version: its own list, else the dataset's tag map. */
export function tagsOf(version: DatasetVersion, detail: DatasetDetail | null): string[] {
  if (version.tags?.length) {
    return [...version.tags].sort();
  }
  return Object.entries(detail?.dataset.tags ?? {})
    .filter(([, id]) => id === version.id)
    .map(([tag]) => tag)
    .sort();
}
