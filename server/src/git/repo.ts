import fs from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';
import { AppError } from '../core/errors';
import { resolveInWorkspace } from '../core/workspace';

/** One repository as the git module sees it: absolute root, its place in the workspace, a shared object cache. */
export interface Repo {
  fs: typeof fs;
  /** Absolute path of the working tree. */
  dir: string;
  gitdir: string;
  /** Workspace-relative path of the root ('' = the workspace itself). */
  prefix: string;
  /** isomorphic-git's cache object (pack indexes), shared by every call on this repo. */
  cache: object;
}

const caches = new Map<string, object>();

function cacheFor(dir: string): object {
  let c = caches.get(dir);
  if (!c) {
    if (caches.size > 64) caches.clear();
    c = {};
    caches.set(dir, c);
  }
  return c;
}

function inside(root: string, target: string): boolean {
  const r = relative(root, target);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** The repository containing workspace path `path` (any folder or file in it), or undefined. */
export function findRepo(workspaceDir: string, path: string): Repo | undefined {
  const abs = resolveInWorkspace(workspaceDir, path === '' ? '.' : path);
  const ws = fs.realpathSync(workspaceDir);
  let current = abs;
  while (!fs.existsSync(current) || !fs.statSync(current).isDirectory()) {
    const parent = join(current, '..');
    if (parent === current) break;
    current = parent;
  }
  current = fs.realpathSync(current);
  for (;;) {
    if (!inside(ws, current)) return undefined;
    const dotgit = join(current, '.git');
    if (fs.existsSync(join(dotgit, 'HEAD'))) {
      const prefix = relative(ws, current).split(sep).join('/');
      return { fs, dir: current, gitdir: dotgit, prefix, cache: cacheFor(current) };
    }
    const parent = join(current, '..');
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Like findRepo, but 404 not_a_repository when the path is in no repository of the workspace. */
export function requireRepo(workspaceDir: string, path: unknown): Repo {
  if (typeof path !== 'string') throw AppError.invalid('repo (a workspace-relative folder) is required');
  const repo = findRepo(workspaceDir, path);
  if (!repo) throw new AppError(404, 'not_a_repository', `"${path || '.'}" is not inside a git repository of the workspace`, { path });
  return repo;
}

/** Repository-relative path (posix) of a workspace-relative path; 400 when it is outside the repository. */
export function repoPath(workspaceDir: string, repo: Repo, wsPath: unknown, allowRoot = false): string {
  if (typeof wsPath !== 'string' || wsPath === '') throw AppError.invalid('path (a workspace-relative file) is required');
  const abs = resolveInWorkspace(workspaceDir, wsPath);
  const inWs = relative(resolve(workspaceDir), abs);
  const rel = relative(repo.dir, join(fs.realpathSync(workspaceDir), inWs));
  if (rel === '' && allowRoot) return '.';
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new AppError(400, 'path_outside_repository', `"${wsPath}" is not a file inside the repository ${repo.prefix || '.'}`, { path: wsPath });
  }
  const posix = rel.split(sep).join('/');
  if (posix === '.git' || posix.startsWith('.git/')) {
    throw new AppError(400, 'path_outside_repository', `"${wsPath}" is inside the .git folder`, { path: wsPath });
  }
  return posix;
}

/** Workspace-relative path of a repository-relative one. */
export function wsPath(repo: Repo, p: string): string {
  return repo.prefix ? `${repo.prefix}/${p}` : p;
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` alone for this repository: every write to the index, HEAD or the working copy goes
 * through the 'worktree' lock. Fetch and push (objects and remote-tracking refs only) take the
 * 'network' lock instead, so a slow remote never holds up status or a commit.
 */
export function withRepoLock<T>(repo: Repo, fn: () => Promise<T>, kind: 'worktree' | 'network' = 'worktree'): Promise<T> {
  const key = `${kind}\0${repo.dir}`;
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** The commit author for a Conveyor user: the user name, and `<name>@conveyor.local` unless the name is an email. */
export function authorOf(user: string): { name: string; email: string } {
  return { name: user, email: user.includes('@') ? user : `${user}@conveyor.local` };
}

/** The `.git/config` key of the per-repository "strip outputs on commit" setting. */
export const STRIP_KEY = 'conveyor.stripOutputs';

export async function stripOutputsOf(repo: Repo): Promise<boolean> {
  const v: unknown = await git.getConfig({ fs: repo.fs, dir: repo.dir, path: STRIP_KEY });
  return v === true || v === 'true';
}
