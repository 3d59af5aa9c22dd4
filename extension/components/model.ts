import type { ComponentEntry, ComponentList } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';
import { isReadOnlyRefusal } from '../workspaces/inside';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/** The API path of one component version (registry names have slashes: users/<owner>/<name>). */
export function versionPath(name: string, version: string): string {
  return `components/${[...name.split('/'), version].map(encodeURIComponent).join('/')}`;
}

/**
 * The Components section's state: the catalog (built-in, workspace, registry), the search and
 * tag filter (applied here: the catalog is small), the selected component and the version its
 * details show. Polled slowly while shown.
 */
export class ComponentsModel extends SectionModel {
  constructor(options: ComponentsModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:components',
      interval: options.pollInterval ?? 60_000,
      max: 300_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
  }

  get entries(): readonly ComponentEntry[] {
    return this._entries;
  }

  /**
   * Whether the catalog was refused because this is a managed workspace opened with a view link
   * (403 workspace_read_only: the catalog reads the workspace's files). Not an error: the section says so.
   */
  get readOnly(): boolean {
    return this._readOnly;
  }

  /** Workspace component files that could not be read. */
  get fileErrors(): ComponentList['errors'] {
    return this._fileErrors;
  }

  /** Every tag of the catalog, sorted. */
  get tags(): string[] {
    return [...new Set(this._entries.flatMap(e => e.spec.tags ?? []))].sort();
  }

  get query(): string {
    return this._query;
  }
  set query(query: string) {
    if (query !== this._query) {
      this._query = query;
      this._changed.emit();
    }
  }

  /** The tag filter ('' for all). */
  get tag(): string {
    return this._tag;
  }
  set tag(tag: string) {
    if (tag !== this._tag) {
      this._tag = tag;
      this._changed.emit();
    }
  }

  /** The entries matching the search (name, description, tags) and the tag filter. */
  get filtered(): ComponentEntry[] {
    const words = this._query.toLowerCase().split(/\s+/).filter(Boolean);
    return this._entries.filter(e => {
      if (this._tag && !(e.spec.tags ?? []).includes(this._tag)) {
        return false;
      }
      const text = [e.ref, e.spec.description ?? '', ...(e.spec.tags ?? []), e.source].join(' ').toLowerCase();
      return words.every(w => text.includes(w));
    });
  }

  /** The entry whose details are shown (by `ref` of its newest version), or null. */
  get selected(): ComponentEntry | null {
    return this._entries.find(e => e.ref === this._selectedRef) ?? null;
  }

  /** The version shown in the details (another version's entry once loaded), or null. */
  get shown(): ComponentEntry | null {
    const selected = this.selected;
    if (!selected) {
      return null;
    }
    return this._versions.get(`${selected.spec.name}@${this._version}`) ?? selected;
  }

  select(ref: string | null): void {
    if (ref === this._selectedRef) {
      return;
    }
    this._selectedRef = ref;
    this._version = this.selected?.spec.version ?? '';
    this._changed.emit();
  }

  /** Show another version of the selected component (fetched once). */
  async showVersion(version: string): Promise<void> {
    const selected = this.selected;
    if (!selected) {
      return;
    }
    this._version = version;
    const key = `${selected.spec.name}@${version}`;
    if (version !== selected.spec.version && !this._versions.has(key)) {
      try {
        const entry = await this._fetch<ComponentEntry>(versionPath(selected.spec.name, version));
        this._versions.set(key, entry);
      } catch (error) {
        this._error = error instanceof Error ? error.message : String(error);
      }
    }
    this._changed.emit();
  }

  protected async load(): Promise<void> {
    this._loading = true;
    try {
      const list = await this._fetch<ComponentList>('components');
      this._entries = list.components;
      this._fileErrors = list.errors ?? [];
      this._error = null;
      this._readOnly = false;
    } catch (error) {
      if (isReadOnlyRefusal(error)) {
        // Holds until the link changes: polling on is harmless, nothing to back off from.
        this._entries = [];
        this._error = null;
        this._readOnly = true;
        return;
      }
      this._error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  private _entries: ComponentEntry[] = [];
  private _fetch: Fetcher;
  private _fileErrors: ComponentList['errors'] = [];
  private _query = '';
  private _readOnly = false;
  private _selectedRef: string | null = null;
  private _tag = '';
  private _version = '';
  private _versions = new Map<string, ComponentEntry>();
}

export namespace ComponentsModel {
  export interface IOptions {
    requestAPI: Fetcher;
    autoStart?: boolean;
    pollInterval?: number;
  }
}
