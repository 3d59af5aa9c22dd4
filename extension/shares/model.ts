import { URLExt } from '@jupyterlab/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import type { ShareCreated, ShareLink, ShareList, ShareTarget } from '../../schema/generated/api';
import { LAYOUT_NAME } from '../workspaces/model';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;
export type ShareKind = ShareLink['kind'];
export type ShareScope = ShareLink['scope'];

/** The longest expiry the server accepts (30 days). */
export const MAX_EXPIRY_SECONDS = 30 * 24 * 3600;

/** The expiries the dialog offers, in seconds. */
export const EXPIRY_CHOICES = [3600, 24 * 3600, 7 * 24 * 3600, MAX_EXPIRY_SECONDS] as const;

/** The query parameter a share link carries: `<base_url>lab?conveyor-share=<code>`. */
export const SHARE_PARAM = 'conveyor-share';

/**
 * The share dialog's state for one target: its existing links (with uses and users), creating
 * a link (whose code is shown once, then forgotten with the dialog) and revoking one.
 */
export class ShareLinksModel {
  constructor(options: ShareLinksModel.IOptions) {
    this._fetch = options.requestAPI;
    this.kind = options.kind;
    this.target = options.target;
    this._baseUrl = options.baseUrl;
  }

  readonly kind: ShareKind;
  readonly target: ShareTarget;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The target's links, newest first. */
  get links(): readonly ShareLink[] {
    return this._links;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** The link just created: its full URL, shown once. */
  get created(): { url: string; link: ShareLink } | null {
    return this._created;
  }

  /** The scope of the next link (`collaborate` only means something for a workspace). */
  get scope(): ShareScope {
    return this._scope;
  }
  set scope(scope: ShareScope) {
    if (scope !== this._scope) {
      this._scope = scope;
      this._changed.emit();
    }
  }

  /** The expiry of the next link, in seconds (mandatory, at most 30 days). */
  get expiresInSeconds(): number {
    return this._expiresInSeconds;
  }
  set expiresInSeconds(seconds: number) {
    if (seconds !== this._expiresInSeconds) {
      this._expiresInSeconds = seconds;
      this._changed.emit();
    }
  }

  /**
   * A JupyterLab workspace layout (by name) the next workspace link opens, or '' for none.
   * Recipients get their own copy of it.
   */
  get layout(): string {
    return this._layout;
  }
  set layout(layout: string) {
    if (layout !== this._layout) {
      this._layout = layout;
      this._changed.emit();
    }
  }

  /** Why the layout name cannot be used ('' when it can, or when there is none). */
  get layoutError(): string {
    const layout = this._layout.trim();
    return layout && !LAYOUT_NAME.test(layout)
      ? 'A layout name has 1–64 letters, digits, ., _ and -, starting with a letter or digit'
      : '';
  }

  /** Load the target's links (for a workspace: every link to it, whatever its layout). */
  async load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    const query = new URLSearchParams({ kind: this.kind, target: JSON.stringify(this.target) });
    try {
      const answer = await this._fetch<ShareList>(`shares?${query}`);
      this._links = Array.isArray(answer?.links) ? answer.links : [];
      this._error = null;
    } catch (error) {
      this._error = message(error);
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  /** Create a link with the chosen scope and expiry; its URL is `created` until the next one. */
  async create(): Promise<string> {
    if (!Number.isInteger(this.expiresInSeconds) || this.expiresInSeconds < 1 || this.expiresInSeconds > MAX_EXPIRY_SECONDS) {
      throw new Error('The expiry must be between 1 second and 30 days');
    }
    if (this.layoutError) {
      throw new Error(this.layoutError);
    }
    const layout = this.kind === 'workspace' ? this._layout.trim() : '';
    const answer = await this._fetch<ShareCreated>('shares', {
      method: 'POST',
      body: JSON.stringify({
        kind: this.kind,
        target: layout ? { ...this.target, layout } : this.target,
        scope: this.kind === 'workspace' ? this.scope : 'view',
        expiresInSeconds: this.expiresInSeconds
      }),
      headers: { 'Content-Type': 'application/json' }
    });
    const url = shareUrl(this._baseUrl, answer.code);
    this._created = { url, link: answer.link };
    this._links = [answer.link, ...this._links.filter(l => l.id !== answer.link.id)];
    this._changed.emit();
    return url;
  }

  /** Revoke a link; it stays listed as revoked. */
  async revoke(id: string): Promise<void> {
    const link = await this._fetch<ShareLink>(`shares/${encodeURIComponent(id)}`, { method: 'DELETE' });
    this._links = this._links.map(l => (l.id === id ? link : l));
    if (this._created?.link.id === id) {
      this._created = null;
    }
    this._changed.emit();
  }

  private _baseUrl: string;
  private _changed = new Signal<this, void>(this);
  private _created: { url: string; link: ShareLink } | null = null;
  private _error: string | null = null;
  private _expiresInSeconds = 7 * 24 * 3600;
  private _scope: ShareScope = 'view';
  private _fetch: Fetcher;
  private _layout = '';
  private _links: ShareLink[] = [];
  private _loading = false;
}

export namespace ShareLinksModel {
  export interface IOptions {
    requestAPI: Fetcher;
    kind: ShareKind;
    target: ShareTarget;
    /** The page's Jupyter base URL (absolute), which links are made under. */
    baseUrl: string;
  }
}

/**
 * Whether `conveyor:share` is offered for a view's target: views pass the target's `owner` and
 * only the owner sees "Share…" (the server refuses others anyway); a view that passes no owner
 * leaves the check to the server. Hidden while the signed-in user is not known yet.
 */
export function shareOffered(args: { owner?: unknown }, me: string | null): boolean {
  return typeof args.owner !== 'string' || (me !== null && me !== '' && args.owner === me);
}

/** The absolute link a recipient opens: `<base_url>lab?conveyor-share=<code>`. */
export function shareUrl(baseUrl: string, code: string): string {
  return `${URLExt.join(baseUrl, 'lab')}?${SHARE_PARAM}=${encodeURIComponent(code)}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
