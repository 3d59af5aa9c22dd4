import { URLExt } from '@jupyterlab/coreutils';
import type { ISignal } from '@lumino/signaling';

import type { ServerEvent, Workspace, WorkspaceCreate, WorkspaceList } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;
export type WorkspaceAction = 'start' | 'stop' | 'restart';
/** The caller's access to a listed workspace: theirs, or shared with them by a link's scope. */
export type WorkspaceAccess = 'owner' | 'collaborate' | 'view';

const STATUSES = new Set<string>(['stopped', 'starting', 'running', 'stopping', 'failed']);

/**
 * The caller's access to a workspace (`access` in the list answer; a server without the field
 * lists only the caller's own workspaces).
 */
export function accessOf(workspace: Workspace): WorkspaceAccess {
  const access = (workspace as Workspace & { access?: unknown }).access;
  return access === 'view' || access === 'collaborate' ? access : 'owner';
}

/** Statuses that change on their own: the section polls faster while one is shown. */
const TRANSITIONAL = new Set<Workspace['status']>(['starting', 'stopping']);

/**
 * The Workspaces section's state: the caller's workspaces and the actions on them. Polled while
 * shown (faster while one is starting or stopping) and refreshed by `workspace` server events.
 */
export class WorkspacesModel extends SectionModel {
  constructor(options: WorkspacesModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:workspaces',
      interval: options.pollInterval ?? WorkspacesModel.POLL_INTERVAL,
      max: 120_000,
      autoStart: options.autoStart
    });
    this._fetch = options.requestAPI;
    this._events = options.events ?? null;
    this._transitionInterval = options.transitionInterval ?? WorkspacesModel.TRANSITION_INTERVAL;
    this._events?.connect(this._onEvent, this);
  }

  get workspaces(): readonly Workspace[] {
    return this._workspaces;
  }

  /** The caller's own workspaces. */
  get mine(): readonly Workspace[] {
    return this._workspaces.filter(w => accessOf(w) === 'owner');
  }

  /** Workspaces others shared with the caller through a link (view or collaborate). */
  get shared(): readonly Workspace[] {
    return this._workspaces.filter(w => accessOf(w) !== 'owner');
  }

  /** Whether an action on this workspace is under way (its buttons are disabled meanwhile). */
  isBusy(id: string): boolean {
    return this._busy.has(id);
  }

  /** Whether any shown workspace is starting or stopping. */
  get transitioning(): boolean {
    return this._workspaces.some(w => TRANSITIONAL.has(w.status));
  }

  /** Create and start a workspace; it is listed first at once. */
  async create(request: WorkspaceCreate): Promise<Workspace> {
    const created = await this._fetch<Workspace>('workspaces', {
      method: 'POST',
      body: JSON.stringify(request),
      headers: { 'Content-Type': 'application/json' }
    });
    this._workspaces = [created, ...this._workspaces.filter(w => w.id !== created.id)];
    this._changed.emit();
    this._followTransition();
    return created;
  }

  /** Start, stop or restart a workspace; its row shows the server's answer. */
  async act(id: string, action: WorkspaceAction): Promise<Workspace> {
    return this._whileBusy(id, async () => {
      const updated = await this._fetch<Workspace>(`workspaces/${encodeURIComponent(id)}/${action}`, {
        method: 'POST'
      });
      this._replace(updated);
      return updated;
    });
  }

  /** Delete a workspace; `volume` also deletes the owner's home volume. */
  async remove(id: string, volume: boolean): Promise<void> {
    await this._whileBusy(id, async () => {
      const query = volume ? '?volume=true' : '';
      await this._fetch(`workspaces/${encodeURIComponent(id)}${query}`, { method: 'DELETE' });
      this._workspaces = this._workspaces.filter(w => w.id !== id);
    });
  }

  protected onDispose(): void {
    this._events?.disconnect(this._onEvent, this);
  }

  protected async load(): Promise<void> {
    this._loading = true;
    try {
      const answer = await this._fetch<WorkspaceList>('workspaces');
      if (this.isDisposed) {
        return;
      }
      this._workspaces = Array.isArray(answer?.workspaces) ? answer.workspaces : [];
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
    this._followTransition();
  }

  private async _whileBusy<T>(id: string, work: () => Promise<T>): Promise<T> {
    this._busy.add(id);
    this._changed.emit();
    try {
      return await work();
    } finally {
      this._busy.delete(id);
      if (!this.isDisposed) {
        this._changed.emit();
        this._followTransition();
      }
    }
  }

  private _replace(updated: Workspace): void {
    this._workspaces = this._workspaces.map(w => (w.id === updated.id ? updated : w));
  }

  /** While a workspace is starting or stopping, look again soon. */
  private _followTransition(): void {
    if (this.transitioning && !this.isDisposed) {
      this.refreshSoon(this._transitionInterval);
    }
  }

  /**
   * A `workspace` event (`{type, id, status}`) shows the new status at once, then the list is
   * read again for the rest (cost, error, started at).
   */
  private _onEvent(_: unknown, event: ServerEvent): void {
    const e = event as { type: string; id?: unknown; status?: unknown; workspace?: { id?: unknown; status?: unknown } };
    if (e.type !== 'workspace') {
      return;
    }
    const id = e.id ?? e.workspace?.id;
    const status = e.status ?? e.workspace?.status;
    if (typeof id === 'string' && typeof status === 'string' && STATUSES.has(status)) {
      const row = this._workspaces.find(w => w.id === id);
      if (row && row.status !== status) {
        this._replace({ ...row, status: status as Workspace['status'] });
        this._changed.emit();
      }
    }
    this.refreshSoon(300);
  }

  private _busy = new Set<string>();
  private _events: ISignal<unknown, ServerEvent> | null;
  private _fetch: Fetcher;
  private _transitionInterval: number;
  private _workspaces: Workspace[] = [];
}

export namespace WorkspacesModel {
  export interface IOptions {
    requestAPI: Fetcher;
    /** Server events (the connection's); `workspace` events trigger a refresh. */
    events?: ISignal<unknown, ServerEvent>;
    pollInterval?: number;
    /** Refresh delay while a workspace is starting or stopping (ms). */
    transitionInterval?: number;
    autoStart?: boolean;
  }

  export const POLL_INTERVAL = 15_000;
  export const TRANSITION_INTERVAL = 2_000;
}

/** What JupyterLab accepts as a workspace (layout) name in links (as the server checks it). */
export const LAYOUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The address of a workspace's JupyterLab under the page's Jupyter base URL
 * (`<base_url>conveyor/workspaces/<id>/lab`), for its owner.
 */
export function workspaceLabUrl(baseUrl: string, workspace: Pick<Workspace, 'id'> & { url?: string }): string {
  const path = workspace.url
    ? workspace.url.replace(/^\/+/, '')
    : `conveyor/workspaces/${encodeURIComponent(workspace.id)}/lab`;
  return URLExt.join(baseUrl, path);
}

/**
 * The entry of a workspace, `<base_url>conveyor/workspaces/<id>/` (`?layout=<name>` for a shared
 * layout): the server sends the owner to their JupyterLab, and someone it is shared with to a
 * copy of the layout of their own (`lab/workspaces/<layout>-shared-<hash>?clone=<layout>`), so
 * the owner's layouts are never overwritten.
 */
export function workspaceEntryUrl(baseUrl: string, id: string, layout?: string): string {
  const entry = `${URLExt.join(baseUrl, 'conveyor', 'workspaces', encodeURIComponent(id))}/`;
  return layout ? `${entry}?layout=${encodeURIComponent(layout)}` : entry;
}
