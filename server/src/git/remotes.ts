import git, { type GitProgressEvent } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { GitRemote, ServerEvent } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { currentBranch, fastForward } from './branches';
import type { CredentialStore } from './credentials';
import { type Repo, withRepoLock } from './repo';

export interface RemoteDeps {
  credentials: CredentialStore;
  publish(user: string, event: ServerEvent): void;
}

/** Only http(s) URLs without embedded credentials (they would land in .git/config). */
export function checkRemoteUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError(400, 'invalid_remote_url', `"${url}" is not a URL; remotes are http(s) URLs`, { url });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AppError(400, 'invalid_remote_url', `Only http(s) remotes are supported (got ${u.protocol})`, { url });
  }
  if (u.username || u.password) {
    throw new AppError(400, 'credentials_in_url', 'Put the username and password in their own fields, not in the URL (they are stored encrypted on the server)');
  }
}

async function remoteUrl(repo: Repo, name: string): Promise<string> {
  const remotes = await git.listRemotes({ fs: repo.fs, dir: repo.dir });
  const r = remotes.find(x => x.remote === name);
  if (!r) throw new AppError(404, 'unknown_remote', `There is no remote "${name}"`, { remote: name });
  return r.url;
}

export async function listRemotes(repo: Repo, deps: RemoteDeps, user: string): Promise<GitRemote[]> {
  const remotes = await git.listRemotes({ fs: repo.fs, dir: repo.dir });
  const out: GitRemote[] = [];
  for (const r of remotes) out.push({ name: r.remote, url: r.url, hasCredentials: await deps.credentials.has(user, r.url) });
  return out;
}

export interface RemoteInput {
  name: string;
  url: string;
  username?: string;
  password?: string;
}

export async function addRemote(repo: Repo, deps: RemoteDeps, user: string, input: RemoteInput): Promise<void> {
  checkRemoteUrl(input.url);
  if (input.password !== undefined && !input.username) throw AppError.invalid('A password needs a username (for a token, use any username your host accepts)');
  await git.addRemote({ fs: repo.fs, dir: repo.dir, remote: input.name, url: input.url, force: true });
  if (input.username) await deps.credentials.set(user, input.url, { username: input.username, password: input.password ?? '' });
}

export async function deleteRemote(repo: Repo, deps: RemoteDeps, user: string, name: string): Promise<void> {
  const url = await remoteUrl(repo, name);
  await git.deleteRemote({ fs: repo.fs, dir: repo.dir, remote: name });
  await deps.credentials.delete(user, url);
}

export interface RemoteOp {
  remote: string;
  branch?: string;
  opId: string;
  user: string;
}

function callbacks(deps: RemoteDeps, op: RemoteOp, kind: 'fetch' | 'pull' | 'push', url: string) {
  let last = 0;
  let lastPhase = '';
  return {
    http,
    onAuth: async () => (await deps.credentials.get(op.user, url)) ?? { cancel: true },
    onAuthFailure: () => ({ cancel: true }),
    onProgress: (p: GitProgressEvent) => {
      const now = Date.now();
      if (p.phase === lastPhase && now - last < 100 && p.loaded !== p.total) return;
      last = now;
      lastPhase = p.phase;
      const event: ServerEvent = { type: 'git.progress', opId: op.opId, op: kind, phase: p.phase, loaded: p.loaded };
      if (p.total) event.total = p.total;
      deps.publish(op.user, event);
    }
  };
}

export async function fetchRemote(repo: Repo, deps: RemoteDeps, op: RemoteOp, kind: 'fetch' | 'pull' = 'fetch'): Promise<{ oid: string | null }> {
  const url = await remoteUrl(repo, op.remote);
  const res = await git.fetch({
    fs: repo.fs,
    dir: repo.dir,
    remote: op.remote,
    ref: op.branch,
    singleBranch: op.branch !== undefined,
    tags: false,
    cache: repo.cache,
    ...callbacks(deps, op, kind, url)
  });
  return { oid: res.fetchHead };
}

/**
 * Fetches the branch (under the network lock) and fast-forwards the current branch to it (under
 * the worktree lock); 409 merge_required when they diverged.
 */
export async function pullRemote(repo: Repo, deps: RemoteDeps, op: RemoteOp): Promise<{ oid: string; fastForward: boolean; alreadyUpToDate: boolean }> {
  const branch = op.branch ?? (await currentBranch(repo));
  if (!branch) throw new AppError(400, 'detached_head', 'HEAD is detached: switch to a branch first');
  await withRepoLock(repo, () => fetchRemote(repo, deps, { ...op, branch }, 'pull'), 'network');
  return withRepoLock(repo, () => fastForward(repo, `refs/remotes/${op.remote}/${branch}`));
}

/** Pushes the branch; on any failure no local ref moves (isomorphic-git updates the remote-tracking ref only after the server accepted). */
export async function pushRemote(repo: Repo, deps: RemoteDeps, op: RemoteOp): Promise<{ ok: boolean; refs: Record<string, string> }> {
  const url = await remoteUrl(repo, op.remote);
  const branch = op.branch ?? (await currentBranch(repo));
  if (!branch) throw new AppError(400, 'detached_head', 'HEAD is detached: switch to a branch first');
  const res = await git.push({ fs: repo.fs, dir: repo.dir, remote: op.remote, ref: branch, cache: repo.cache, ...callbacks(deps, op, 'push', url) });
  const errors = Object.entries(res.refs ?? {}).filter(([, r]) => !r.ok);
  if (!res.ok || errors.length > 0) {
    const why = errors.map(([ref, r]) => `${ref}: ${r.error}`).join('; ') || res.error || 'rejected';
    throw new AppError(409, 'push_rejected', `The remote rejected the push: ${why}`, { refs: Object.fromEntries(errors.map(([ref, r]) => [ref, r.error])) });
  }
  return { ok: true, refs: Object.fromEntries(Object.keys(res.refs ?? {}).map(k => [k, 'ok'])) };
}
