import type { NotebookDiff } from '../../schema/generated/api';

/**
 * Payloads of the git API, as the contract's "Git" table defines them
 * (docs/dev/ml-platform-contract.md). Only the fields the UI reads are named.
 */

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

export interface IGitRemote {
  name: string;
  url: string;
}

export interface IGitRepo {
  /** Workspace-relative root of the repository, `null` when the folder is in none. */
  root: string | null;
  branch: string | null;
  head: string | null;
  detached: boolean;
  remotes: IGitRemote[];
  stripOutputs: boolean;
}

export type GitFileStatus = 'modified' | 'added' | 'deleted' | 'untracked' | 'conflicted';

export interface IGitFile {
  path: string;
  status: GitFileStatus;
  staged: boolean;
  unstaged: boolean;
}

export interface IGitStatus {
  files: IGitFile[];
}

export interface IGitAuthor {
  name: string;
  email: string;
  /** Seconds since the epoch (as git and isomorphic-git count). */
  timestamp: number;
}

export interface IGitCommit {
  oid: string;
  message: string;
  summary: string;
  author: IGitAuthor;
  parents: string[];
}

export interface IGitLog {
  commits: IGitCommit[];
}

export interface IGitShow {
  path: string;
  ref: string;
  oid: string;
  content: string;
  notebook: boolean;
}

export type IGitDiff = (
  | { kind: 'notebook'; diff: NotebookDiff }
  | { kind: 'text'; patch: string }
) & { warnings?: string[] };

export interface IGitBranch {
  name: string;
  oid: string;
}

export interface IGitBranches {
  current: string | null;
  branches: IGitBranch[];
}

/** A websocket event reporting a fetch, pull or push under way. */
export interface IGitProgressEvent {
  type: 'git.progress';
  opId: string;
  phase: string;
  loaded?: number;
  total?: number;
}

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
