import type { ISignal } from '@lumino/signaling';

import type { ImageTag, ServerEvent, ServerStatus, StepImage } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';
import { groupImages, IImageGroup, imageRef, looksLikePackage } from './group';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/**
 * Where server events and the caller's identity come from (the ConnectionModel in the app).
 */
export interface IConnectionSource {
  readonly events: ISignal<unknown, ServerEvent>;
  readonly status: ServerStatus | null;
}

export type SearchBy = 'name' | 'package';

/**
 * The Images section's state: registry and engine images, the search, the expanded tag's
 * package lists and the actions on tags. Polled while shown; reloaded after a build finishes.
 */
export class ImagesModel extends SectionModel {
  constructor(options: ImagesModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:images',
      interval: options.pollInterval ?? ImagesModel.POLL_INTERVAL,
      max: 300_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
    this._connection = options.connection ?? null;
    this._debounce = options.searchDebounce ?? 300;
    this._connection?.events.connect(this._onEvent, this);
  }

  get images(): readonly StepImage[] {
    return this._images;
  }

  /** The caller's name, from the server status. */
  get me(): string {
    return this._connection?.status?.user.name ?? '';
  }

  get admin(): boolean {
    return this._connection?.status?.user.admin ?? false;
  }

  get groups(): IImageGroup[] {
    return groupImages(this._images, this.me);
  }

  /** Registry tags a custom build can start from. */
  get bases(): string[] {
    return this._images.filter(i => i.source === 'registry').map(imageRef);
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
    this._scheduleSearch();
  }

  get searchBy(): SearchBy {
    return this._searchBy;
  }
  set searchBy(by: SearchBy) {
    if (by === this._searchBy) {
      return;
    }
    this._searchBy = by;
    this._changed.emit();
    if (this._query.trim()) {
      this._scheduleSearch();
    }
  }

  /** The expanded tag (its ref), whose details are shown. */
  get expanded(): string | null {
    return this._expanded;
  }

  /** Package lists of a registry tag, once loaded. */
  details(image: StepImage): ImageTag | undefined {
    return this._details.get(imageRef(image));
  }





  /** Whether the caller may delete this tag (own namespace; admins also shared/). */
  canDelete(image: StepImage): boolean {
    if (image.source !== 'registry' || !image.repository) {
      return false;
    }
    if (image.repository.startsWith(`users/${this.me}/`)) {
      return true;
    }
    return this.admin && image.repository.startsWith('shared/');
  }

  /** Show or hide a tag's details; a registry tag's package lists load on first expand. */
  async toggle(image: StepImage): Promise<void> {
    const ref = imageRef(image);
    this._expanded = this._expanded === ref ? null : ref;
    this._changed.emit();
    if (this._expanded && image.source === 'registry' && !this._details.has(ref)) {
      const path = `images/${image.repository}/tags/${encodeURIComponent(image.tag ?? '')}`;
      try {
        const tag = await this._fetch<ImageTag>(path);
        this._details.set(ref, tag);
      } catch (error) {
        this._error = Private.message(error);
      }
      this._changed.emit();
    }
  }

  /** Make an image (its ref) the caller's default for submissions. */
  async setDefault(ref: string): Promise<void> {
    await this._fetch('images/default', {
      method: 'PUT',
      body: JSON.stringify({ ref }),
      headers: { 'Content-Type': 'application/json' }
    });
    await this.refresh();
  }

  /** Delete one of the caller's tags. */
  async remove(image: StepImage): Promise<void> {
    await this._fetch(
      `images/${image.repository}/tags/${encodeURIComponent(image.tag ?? '')}`,
      { method: 'DELETE' }
    );
    this._images = this._images.filter(i => i !== image);
    this._changed.emit();
    await this.refresh();
  }



  protected onDispose(): void {
    this._connection?.events.disconnect(this._onEvent, this);
  }

  private _scheduleSearch(): void {
    this.refreshSoon(this._debounce);
  }

  protected async load(): Promise<void> {
    const query = this._query.trim();
    const params = new URLSearchParams();
    if (query) {
      // "xgboost 2" reads as a package question even when searching by name.
      const byPackage = this._searchBy === 'package' || looksLikePackage(query);
      params.set(byPackage ? 'package' : 'q', query);
    }
    const path = query ? `images?${params}` : 'images';
    this._loading = true;
    try {
      const images = await this._fetch<StepImage[]>(path);
      if (this.isDisposed) {
        return;
      }
      this._images = Array.isArray(images) ? images : [];
      this._error = null;
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = Private.message(error);
      throw error;
    } finally {
      if (!this.isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (event.type === 'build' && event.status === 'succeeded') {
      void this.refresh();
    }
  }

  private _connection: IConnectionSource | null;
  private _debounce: number;
  private _details = new Map<string, ImageTag>();
  private _expanded: string | null = null;
  private _fetch: Fetcher;
  private _images: StepImage[] = [];
  private _query = '';
  private _searchBy: SearchBy = 'name';
}

export namespace ImagesModel {
  export interface IOptions {
    requestAPI: Fetcher;
    connection?: IConnectionSource;
    pollInterval?: number;
    autoStart?: boolean;
    searchDebounce?: number;
  }

  export const POLL_INTERVAL = 30_000;
}

namespace Private {
  export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
