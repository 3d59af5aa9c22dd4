import type { ISignal } from '@lumino/signaling';
import { UUID } from '@lumino/coreutils';

import type { ServerEvent } from '../../schema/generated/api';
import { SectionModel } from '../core/sectionModel';
import { GitAPI } from './api';
import {
  Fetcher,
  IGitBranches,
  IGitFile,
  IGitProgressEvent,
  IGitRepo,
  isProgressEvent
} from './types';

export type SyncOp = 'fetch' | 'pull' | 'push';

/** Server events (the ConnectionModel's `events` in the app). */
export interface IEventSource {
  readonly events: ISignal<unknown, ServerEvent>;
}

/**
 * The Git section's state for the folder open in the file browser: the repository holding it,
 * the changed / staged / untracked files, branches, the commit message being written, and the
 * fetch / pull / push under way with its progress. Polled while shown; every action reloads.
 */
export class GitModel extends SectionModel {
  constructor(options: GitModel.IOptions) {
    super({
      name: 'jupyterlab-conveyor:git',
      interval: options.pollInterval ?? GitModel.POLL_INTERVAL,
      max: 120_000,
      autoStart: options.autoStart
    });
    this.api = new GitAPI(options.requestAPI);
    this._path = options.path ?? '';
    this._events = options.events ?? null;
    this._events?.events.connect(this._onEvent, this);
  }

  readonly api: GitAPI;

  /** The folder shown (workspace-relative, '' = the workspace root). */
  get path(): string {
    return this._path;
  }
  set path(path: string) {
    if (path === this._path) {
      return;
    }
    this._path = path;
    this._repo = null;
    this._files = [];
    this._branches = null;
    this._changed.emit();
    this.scheduleRefresh(0);
  }

  /** The repository holding the folder; `root` is null when there is none. */
  get repo(): IGitRepo | null {
    return this._repo;
  }

  /** Whether the folder is in a repository (false until the first load answers). */
  get inRepo(): boolean {
    return this._repo !== null && this._repo.root !== null;
  }

  /** The folder to name the repository by in API calls. */
  get repoArg(): string {
    return GitModel.folderArg(this._repo?.root ?? this._path);
  }

  get files(): readonly IGitFile[] {
    return this._files;
  }

  /** Files with staged changes (what a commit takes). */
  get staged(): IGitFile[] {
    return this._files.filter(f => f.staged);
  }

  /** Tracked files changed in the working copy and not (fully) staged. */
  get unstaged(): IGitFile[] {
    return this._files.filter(f => f.unstaged && f.status !== 'untracked');
  }

  /** Whether the server listed only the first untracked files (too many: add a .gitignore). */
  get truncated(): boolean {
    return this._truncated;
  }

  get untracked(): IGitFile[] {
    return this._files.filter(f => f.status === 'untracked' && !f.staged);
  }

  get branches(): IGitBranches | null {
    return this._branches;
  }

  /** The commit message being written. */
  get message(): string {
    return this._message;
  }
  set message(message: string) {
    this._message = message;
    this._changed.emit();
  }

  get amend(): boolean {
    return this._amend;
  }
  set amend(amend: boolean) {
    this._amend = amend;
    this._changed.emit();
  }

  /** A commit is possible: a message, and staged changes unless amending. */
  get canCommit(): boolean {
    return this.inRepo && !this._busy && this._message.trim() !== '' &&
      (this._amend || this.staged.length > 0);
  }

  /** The action under way (its label), else null. */
  get busy(): string | null {
    return this._busy;
  }

  /** Progress of the fetch / pull / push under way. */
  get progress(): IGitProgressEvent | null {
    return this._progress;
  }

  /**
   * Load now, outside the poll: after a change made here or elsewhere (a restore), whose answer
   * must not be lost to a poll tick already under way (`refresh()` joins that tick).
   */
  async reload(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    this._generation++;
    await this.load().catch(() => undefined);
  }

  /** Reload soon, once for a burst of calls (files saved, a commit from elsewhere). */
  scheduleRefresh(delay = 500): void {
    if (!this.visible) {
      return; // showing the section reloads it
    }
    window.clearTimeout(this._reloadTimer);
    this._reloadTimer = window.setTimeout(() => void this.reload(), delay);
  }

  async init(): Promise<void> {
    await this._run('init', async () => {
      this._repo = await this.api.init(GitModel.folderArg(this._path));
    });
  }

  stage(paths: string[]): Promise<void> {
    return this._setFiles('stage', () => this.api.stage(this.repoArg, paths));
  }

  unstage(paths: string[]): Promise<void> {
    return this._setFiles('unstage', () => this.api.unstage(this.repoArg, paths));
  }

  discard(paths: string[]): Promise<void> {
    return this._setFiles('discard', () => this.api.discard(this.repoArg, paths));
  }

  /** Commit the staged changes (or only `paths`) with the message being written. */
  async commit(paths?: string[], message?: string): Promise<string> {
    let oid = '';
    await this._run('commit', async () => {
      const text = (message ?? this._message).trim();
      const answer = await this.api.commit(this.repoArg, text, {
        amend: this._amend || undefined,
        paths
      });
      oid = answer.oid;
      if (message === undefined) {
        this._message = '';
        this._amend = false;
      }
    });
    return oid;
  }

  createBranch(name: string, from?: string): Promise<void> {
    return this._run('branch', async () => {
      this._branches = await this.api.createBranch(this.repoArg, name, from);
    });
  }

  /** Switch branch; rejects with the server's 409 `uncommitted_changes` when work would be lost. */
  checkout(branch: string): Promise<void> {
    return this._run('checkout', () => this.api.checkout(this.repoArg, branch));
  }

  /** Fast-forward the current branch to `branch`; 409 `merge_required` otherwise. */
  merge(branch: string): Promise<void> {
    return this._run('merge', () => this.api.merge(this.repoArg, branch));
  }

  addRemote(remote: { name: string; url: string; username?: string; password?: string }) {
    return this._run('remote', () => this.api.addRemote(this.repoArg, remote));
  }

  removeRemote(name: string): Promise<void> {
    return this._run('remote', () => this.api.removeRemote(this.repoArg, name));
  }

  /** Fetch, pull or push; `progress` follows the server's `git.progress` events meanwhile. */
  sync(op: SyncOp, remote: string, branch?: string): Promise<void> {
    const opId = UUID.uuid4();
    return this._run(op, async () => {
      this._opId = opId;
      this._progress = null;
      try {
        await this.api.sync(op, { repo: this.repoArg, remote, branch, opId });
      } finally {
        this._opId = null;
        this._progress = null;
      }
    });
  }

  setStripOutputs(strip: boolean): Promise<void> {
    return this._run('settings', async () => {
      this._repo = await this.api.settings(this.repoArg, strip);
    });
  }

  protected async load(): Promise<void> {
    const path = this._path;
    // A load that started before an action (or a later load) must not apply its older answers.
    const generation = ++this._generation;
    const stale = () => this.isDisposed || path !== this._path || generation !== this._generation;
    this._loading = true;
    try {
      const repo = await this.api.repo(GitModel.folderArg(path));
      let files: IGitFile[] = [];
      let truncated = false;
      let branches: IGitBranches | null = null;
      if (repo.root !== null) {
        const arg = GitModel.folderArg(repo.root);
        const [status, answer] = await Promise.all([this.api.status(arg), this.api.branches(arg)]);
        files = status.files;
        truncated = !!status.truncated;
        branches = answer;
      }
      if (stale()) {
        return;
      }
      this._repo = repo;
      this._files = files;
      this._truncated = truncated;
      this._branches = branches;
      this._error = null;
    } catch (error) {
      if (stale()) {
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
  }

  protected onDispose(): void {
    window.clearTimeout(this._reloadTimer);
    this._events?.events.disconnect(this._onEvent, this);
  }

  private async _setFiles(label: string, call: () => Promise<{ files: IGitFile[] }>) {
    await this._run(label, async () => {
      const answer = await call();
      if (answer && Array.isArray(answer.files)) {
        this._files = answer.files;
      }
    });
  }

  /** Run one action at a time, mark it busy, then reload whatever it changed. */
  private async _run(label: string, action: () => Promise<unknown>): Promise<void> {
    this._generation++;
    this._busy = label;
    this._changed.emit();
    try {
      await action();
    } finally {
      this._busy = null;
      this._changed.emit();
      void this.reload();
    }
  }

  private _onEvent(_: unknown, event: ServerEvent): void {
    if (isProgressEvent(event) && event.opId === this._opId) {
      this._progress = event;
      this._changed.emit();
    }
  }

  private _amend = false;
  private _branches: IGitBranches | null = null;
  private _busy: string | null = null;
  private _events: IEventSource | null;
  private _files: IGitFile[] = [];
  private _generation = 0;
  private _reloadTimer = 0;
  private _truncated = false;
  private _message = '';
  private _opId: string | null = null;
  private _path: string;
  private _progress: IGitProgressEvent | null = null;
  private _repo: IGitRepo | null = null;
}

export namespace GitModel {
  export interface IOptions {
    requestAPI: Fetcher;
    events?: IEventSource;
    /** The folder to start with. */
    path?: string;
    pollInterval?: number;
    autoStart?: boolean;
  }

  export const POLL_INTERVAL = 10_000;

  /** The workspace root is sent as '.', any other folder as it is. */
  export function folderArg(path: string): string {
    return path === '' ? '.' : path;
  }
}
