import type { ModelDetail, ModelList, ModelSummary } from '../../../schema/generated/api';
import { SectionModel } from '../../core/sectionModel';
import type { Fetcher } from '../request';

/** A model's versions as last loaded, or why they are not there. */
export interface IVersionsLoad {
  detail: ModelDetail | null;
  loading: boolean;
  error: string | null;
}

/**
 * The registered models the caller can see (`GET /models`), polled while the section is shown,
 * and the versions of the expanded ones (`GET /models/{name}`, reloaded with each poll).
 */
export class ModelListModel extends SectionModel {
  constructor(options: { requestAPI: Fetcher; autoStart?: boolean; interval?: number }) {
    super({
      name: 'jupyterlab-conveyor:models',
      interval: options.interval ?? 15_000,
      max: 300_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
  }

  get models(): readonly ModelSummary[] {
    return this._models;
  }

  isExpanded(name: string): boolean {
    return this._expanded.has(name);
  }

  /** The versions of an expanded model. */
  versions(name: string): IVersionsLoad {
    return this._versions.get(name) ?? { detail: null, loading: false, error: null };
  }

  /** Expands (and loads the versions of) a model, or collapses it. */
  toggle(name: string): void {
    if (this._expanded.has(name)) {
      this._expanded.delete(name);
      this._changed.emit();
      return;
    }
    this._expanded.add(name);
    this._changed.emit();
    void this._loadVersions(name);
  }

  protected async load(): Promise<void> {
    this._loading = true;
    try {
      const answer = await this._fetch<ModelList>('models');
      this._models = answer.models;
      this._error = null;
      const names = new Set(this._models.map(m => m.name));
      for (const name of [...this._expanded]) {
        if (!names.has(name)) {
          this._expanded.delete(name);
          this._versions.delete(name);
        }
      }
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this._loading = false;
      this._changed.emit();
    }
    await Promise.all([...this._expanded].map(name => this._loadVersions(name)));
  }

  private async _loadVersions(name: string): Promise<void> {
    const before = this.versions(name);
    this._versions.set(name, { ...before, loading: true });
    this._changed.emit();
    try {
      const detail = await this._fetch<ModelDetail>(`models/${encodeURIComponent(name)}`);
      this._versions.set(name, { detail, loading: false, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this._versions.set(name, { detail: before.detail, loading: false, error: message });
    }
    this._changed.emit();
  }

  private _expanded = new Set<string>();
  private _fetch: Fetcher;
  private _models: ModelSummary[] = [];
  private _versions = new Map<string, IVersionsLoad>();
}
