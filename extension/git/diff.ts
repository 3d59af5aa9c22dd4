import { Signal, type ISignal } from '@lumino/signaling';

import { GitAPI } from './api';
import { type Fetcher, type IGitDiff, shortOid, WORKTREE, INDEX } from './types';

/**
 * The diff of one file between two versions: `from`/`to` are commits, `WORKTREE` or `INDEX`.
 * Notebooks come cell by cell; outputs can be hidden.
 */
export class GitDiffModel {
  constructor(options: GitDiffModel.IOptions) {
    this.api = new GitAPI(options.requestAPI);
    this.repo = options.repo;
    this.path = options.path;
    this.from = options.from ?? 'HEAD';
    this.to = options.to ?? WORKTREE;
  }

  readonly api: GitAPI;
  readonly repo: string;
  readonly path: string;
  readonly from: string;
  readonly to: string;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get diff(): IGitDiff | null {
    return this._diff;
  }

  get error(): string | null {
    return this._error;
  }

  get warnings(): string[] {
    return this._diff?.warnings ?? [];
  }

  get hideOutputs(): boolean {
    return this._hideOutputs;
  }
  set hideOutputs(hide: boolean) {
    this._hideOutputs = hide;
    this._changed.emit();
  }

  /** Whether to list unchanged cells too (collapsed to their first line). */
  get showUnchanged(): boolean {
    return this._showUnchanged;
  }
  set showUnchanged(show: boolean) {
    this._showUnchanged = show;
    this._changed.emit();
  }

  async load(): Promise<void> {
    try {
      this._diff = await this.api.diff(this.repo, this.path, this.from, this.to);
      this._error = null;
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
    }
    this._changed.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _diff: IGitDiff | null = null;
  private _error: string | null = null;
  private _hideOutputs = false;
  private _showUnchanged = false;
}

export namespace GitDiffModel {
  export interface IOptions {
    requestAPI: Fetcher;
    repo: string;
    path: string;
    from?: string;
    to?: string;
  }

  /** A version's name for people: "working copy", "staged", a branch, or a short oid. */
  export function label(ref: string, worktree: string, index: string): string {
    if (ref === WORKTREE) {
      return worktree;
    }
    if (ref === INDEX) {
      return index;
    }
    return /^[0-9a-f]{40}$/i.test(ref) ? shortOid(ref) : ref;
  }
}

/** The lines of a unified patch with their kind, for colouring. */
export function patchLines(patch: string): { kind: 'add' | 'del' | 'hunk' | 'meta' | 'ctx'; text: string }[] {
  return patch
    .replace(/\n$/, '')
    .split('\n')
    .map(text => {
      if (text.startsWith('+++') || text.startsWith('---') || text.startsWith('diff ') || text.startsWith('index ') || text.startsWith('=====')) {
        return { kind: 'meta' as const, text };
      }
      if (text.startsWith('@@')) {
        return { kind: 'hunk' as const, text };
      }
      if (text.startsWith('+')) {
        return { kind: 'add' as const, text };
      }
      if (text.startsWith('-')) {
        return { kind: 'del' as const, text };
      }
      return { kind: 'ctx' as const, text };
    });
}
