import { ISignal, Signal } from '@lumino/signaling';

import type {
  BudgetState,
  ResourceProfile,
  ResourcesOverview,
  ServerEvent,
  ServerStatus,
  UsageSeries
} from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';
import {
  IResourcesView,
  IUsageDay,
  readResources,
  readStatusCapacity,
  readUsage
} from './view';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/**
 * Where server events and the last status come from (the ConnectionModel; tests pass a fake).
 */
export interface IConnectionSource {
  readonly events: ISignal<unknown, ServerEvent>;
  readonly status: ServerStatus | null;
}

/**
 * The Resources section's state: capacity, queue, profiles, the chosen profile and the viewed
 * user's usage. Polled (standing by while hidden) and refreshed by `run` and `alert` events.
 */
export class ResourcesModel extends SectionModel {
  constructor(options: ResourcesModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:resources',
      interval: options.pollInterval ?? ResourcesModel.POLL_INTERVAL,
      max: 120_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
    this._connection = options.connection ?? null;
    this._debounce = options.eventDebounce ?? 500;
    this._now = options.now ?? (() => new Date());
    this._connection?.events.connect(this._onEvent, this);
  }

  /**
   * Emitted when the user picks another profile (the plugin saves it in the settings).
   */
  get profileChanged(): ISignal<this, string> {
    return this._profileChanged;
  }

  get view(): IResourcesView | null {
    return this._view;
  }

  get profiles(): readonly ResourceProfile[] {
    return this._profiles;
  }

  get usageDays(): readonly IUsageDay[] {
    return this._usage;
  }

  /**
   * The profile for the next submission ('' = the server's default).
   */
  get profile(): string {
    return this._profile;
  }
  set profile(name: string) {
    if (name === this._profile) {
      return;
    }
    this._profile = name;
    this._changed.emit();
    this._profileChanged.emit(name);
  }

  /**
   * Set the chosen profile from the settings, without echoing `profileChanged`.
   */
  restoreProfile(name: string): void {
    if (name !== this._profile) {
      this._profile = name;
      this._changed.emit();
    }
  }

  /** The caller's name and whether they are an admin, from the server status. */
  get me(): string {
    return this._connection?.status?.user.name ?? '';
  }

  get admin(): boolean {
    return this._connection?.status?.user.admin ?? false;
  }

  /**
   * The budgets that apply to the viewed user: their own, then their teams' and projects'
   * (as the server reports them to the caller).
   */
  get budgets(): BudgetState[] {
    const budgets = this._view?.budgets ?? [];
    if (!this._user) {
      return [...budgets].sort((a, b) => Number(b.scope === 'user') - Number(a.scope === 'user'));
    }
    return budgets.filter(b => b.scope === 'user' && b.name === this._user);
  }

  /** Total metered cost of the shown range. */
  get usageTotal(): number {
    return this._usageTotal;
  }

  /**
   * Whose usage is shown ('' = the caller; admins may pick anyone).
   */
  get user(): string {
    return this._user;
  }
  set user(user: string) {
    if (user === this._user) {
      return;
    }
    this._user = user;
    this._changed.emit();
    void this.refresh();
  }







  protected onDispose(): void {
    this._connection?.events.disconnect(this._onEvent, this);
  }

  protected async load(): Promise<void> {
    this._loading = true;
    const now = this._now();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const usageQuery = new URLSearchParams({ from: from.toISOString(), to: now.toISOString() });
    if (this._user) {
      usageQuery.set('user', this._user);
    }
    let failure: unknown = null;
    const [resources, profiles, usage] = await Promise.all([
      this._fetch<ResourcesOverview>('resources').catch(error => {
        failure = error;
        return null;
      }),
      this._fetch<ResourceProfile[]>('profiles').catch(() => null),
      this._fetch<UsageSeries>(`usage?${usageQuery}`).catch(() => null)
    ]);
    if (this.isDisposed) {
      return;
    }
    const status = this._connection?.status ?? null;
    if (resources !== null) {
      this._view = readResources(resources);
      this._error = null;
    } else if (status && Private.notServed(failure)) {
      // The resources route is not served by this server: show the engine's capacity.
      this._view = readStatusCapacity(status);
      this._error = null;
    } else {
      this._error = failure instanceof Error ? failure.message : String(failure);
    }
    if (profiles) {
      this._profiles = Array.isArray(profiles) ? profiles : [];
    }
    this._usage = usage ? readUsage(usage) : [];
    this._usageTotal = usage?.total ?? 0;
    this._loading = false;
    this._changed.emit();
    if (this._error) {
      throw failure; // let the poll back off
    }
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    const type = (event as { type: string }).type;
    if (type !== 'run' && type !== 'alert' && type !== 'resources') {
      return;
    }
    // Runs starting, finishing and queueing change reservations and the queue.
    this.refreshSoon(this._debounce);
  }

  private _connection: IConnectionSource | null;
  private _debounce: number;
  private _fetch: Fetcher;
  private _now: () => Date;
  private _profile = '';
  private _profileChanged = new Signal<this, string>(this);
  private _profiles: ResourceProfile[] = [];
  private _usage: IUsageDay[] = [];
  private _usageTotal = 0;
  private _user = '';
  private _view: IResourcesView | null = null;
}

export namespace ResourcesModel {
  export interface IOptions {
    requestAPI: Fetcher;
    connection?: IConnectionSource;
    pollInterval?: number;
    autoStart?: boolean;
    eventDebounce?: number;
    now?: () => Date;
  }

  export const POLL_INTERVAL = 10_000;
}

namespace Private {
  /** A 404 (route missing) answer. */
  export function notServed(error: unknown): boolean {
    const status = (error as { response?: { status?: number } } | null)?.response?.status;
    return status === 404;
  }
}
