import { Signal, type ISignal } from '@lumino/signaling';

import { GitAPI } from './api';
import type { Fetcher, IGitCommit } from './types';

/**
 * The commits of a repository, or of one file in it, newest first, a page at a time; and the
 * (at most two) commits checked for a diff.
 */
export class HistoryModel {
  constructor(options: HistoryModel.IOptions) {
    this.api = new GitAPI(options.requestAPI);
    this.repo = options.repo;
    this.path = options.path ?? null;
    this._pageSize = options.pageSize ?? HistoryModel.PAGE_SIZE;
  }

  readonly api: GitAPI;
  /** Any folder of the repository. */
  readonly repo: string;
  /** The file whose history this is, or null for the whole repository. */
  readonly path: string | null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get commits(): readonly IGitCommit[] {
    return this._commits;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** Whether an older page may exist. */
  get hasMore(): boolean {
    return this._hasMore;
  }

  /** The checked commits (oids), oldest check first; at most two. */
  get checked(): readonly string[] {
    return this._checked;
  }

  /** Check or uncheck a commit; a third check drops the oldest one. */
  toggle(oid: string): void {
    if (this._checked.includes(oid)) {
      this._checked = this._checked.filter(o => o !== oid);
    } else {
      this._checked = [...this._checked, oid].slice(-2);
    }
    this._changed.emit();
  }

  /** The two checked commits as `[older, newer]` in history order, or null. */
  get pair(): [string, string] | null {
    if (this._checked.length !== 2) {
      return null;
    }
    const index = (oid: string) => this._commits.findIndex(c => c.oid === oid);
    const [x, y] = this._checked;
    return index(x) > index(y) ? [x, y] : [y, x];
  }

  /** Load the first page again (after a commit or a restore). */
  async reload(): Promise<void> {
    await this._load(0, true);
  }

  /** Load the next page. */
  async more(): Promise<void> {
    await this._load(this._commits.length, false);
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private async _load(skip: number, replace: boolean): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      const { commits } = await this.api.log(this.repo, {
        path: this.path ?? undefined,
        limit: this._pageSize,
        skip
      });
      this._commits = replace ? commits : [...this._commits, ...commits];
      this._hasMore = commits.length === this._pageSize;
      this._checked = this._checked.filter(o => this._commits.some(c => c.oid === o));
      this._error = null;
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _checked: string[] = [];
  private _commits: IGitCommit[] = [];
  private _error: string | null = null;
  private _hasMore = false;
  private _loading = false;
  private _pageSize: number;
}

export namespace HistoryModel {
  export interface IOptions {
    requestAPI: Fetcher;
    repo: string;
    path?: string | null;
    pageSize?: number;
  }

  export const PAGE_SIZE = 50;
}
