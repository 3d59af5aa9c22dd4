import type {
  GitBranches,
  GitCommit,
  GitDiff,
  GitFileStatus,
  GitLog,
  GitPerson,
  GitRemote,
  GitRepo,
  GitShow,
  GitStatus,
  ServerEvent
} from '../../schema/generated/api';

/**
 * Payloads of the git API (docs/dev/ml-platform-contract.md, "Git"), generated from
 * `schema/api/git-*.json`; the aliases keep the extension's names short.
 */

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

export type IGitRemote = GitRemote;
/** `root`: workspace-relative root ('' = the workspace), `null` when the folder is in none. */
export type IGitRepo = GitRepo;
export type IGitFile = GitFileStatus;
export type IGitStatus = GitStatus;
export type IGitAuthor = GitPerson;
export type IGitCommit = GitCommit;
export type IGitLog = GitLog;
export type IGitShow = GitShow;
export type IGitDiff = GitDiff;
export type IGitBranches = GitBranches;
export type IGitBranch = GitBranches['branches'][number];

/** A websocket event reporting a fetch, pull or push under way. */
export type IGitProgressEvent = Extract<ServerEvent, { type: 'git.progress' }>;

/** `WORKTREE` (the files on disk) and `INDEX` (staged) are the diff's pseudo-refs. */
export const WORKTREE = 'WORKTREE';
export const INDEX = 'INDEX';

export function isProgressEvent(event: unknown): event is IGitProgressEvent {
  const e = event as Partial<IGitProgressEvent> | null;
  return !!e && e.type === 'git.progress' && typeof e.opId === 'string';
}

export function isNotebookPath(path: string): boolean {
  return path.toLowerCase().endsWith('.ipynb');
}

/** The folder holding a workspace-relative file ('' for the workspace root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function shortOid(oid: string): string {
  return oid.slice(0, 7);
}
