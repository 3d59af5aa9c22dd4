import type {
  Fetcher,
  IGitBranches,
  IGitDiff,
  IGitLog,
  IGitRepo,
  IGitShow,
  IGitStatus
} from './types';

/**
 * The git API (`/conveyor/api/v1/git/...`), one method per endpoint of the contract.
 * Paths are workspace-relative; `repo` is any folder inside the repository.
 */
export class GitAPI {
  constructor(private readonly _fetch: Fetcher) {}

  repo(path: string): Promise<IGitRepo> {
    return this._get('repo', { path });
  }

  init(path: string): Promise<IGitRepo> {
    return this._post('init', { path });
  }

  status(repo: string): Promise<IGitStatus> {
    return this._get('status', { repo });
  }

  stage(repo: string, paths: string[]): Promise<IGitStatus> {
    return this._post('stage', { repo, paths });
  }

  unstage(repo: string, paths: string[]): Promise<IGitStatus> {
    return this._post('unstage', { repo, paths });
  }

  discard(repo: string, paths: string[]): Promise<IGitStatus> {
    return this._post('discard', { repo, paths });
  }

  commit(
    repo: string,
    message: string,
    options: { amend?: boolean; paths?: string[] } = {}
  ): Promise<{ oid: string }> {
    return this._post('commit', { repo, message, ...options });
  }

  log(
    repo: string,
    options: { path?: string; ref?: string; limit?: number; skip?: number } = {}
  ): Promise<IGitLog> {
    return this._get('log', { repo, ...options });
  }

  show(repo: string, ref: string, path: string): Promise<IGitShow> {
    return this._get('show', { repo, ref, path });
  }

  diff(repo: string, path: string, from?: string, to?: string): Promise<IGitDiff> {
    return this._get('diff', { repo, path, from, to });
  }

  restore(repo: string, path: string, ref: string): Promise<unknown> {
    return this._post('restore', { repo, path, ref });
  }

  branches(repo: string): Promise<IGitBranches> {
    return this._get('branches', { repo });
  }

  createBranch(repo: string, name: string, from?: string): Promise<IGitBranches> {
    return this._post('branches', { repo, name, from });
  }

  checkout(repo: string, branch: string): Promise<unknown> {
    return this._post('checkout', { repo, branch });
  }

  merge(repo: string, branch: string): Promise<unknown> {
    return this._post('merge', { repo, branch });
  }

  addRemote(
    repo: string,
    remote: { name: string; url: string; username?: string; password?: string }
  ): Promise<unknown> {
    return this._post('remotes', { repo, ...remote });
  }

  removeRemote(repo: string, name: string): Promise<unknown> {
    const q = new URLSearchParams({ repo, name });
    return this._fetch(`git/remotes?${q}`, { method: 'DELETE' });
  }

  /** `fetch`, `pull` or `push`; resolves when done (progress comes as `git.progress` events). */
  sync(
    op: 'fetch' | 'pull' | 'push',
    body: { repo: string; remote: string; branch?: string; opId?: string }
  ): Promise<unknown> {
    return this._post(op, body);
  }

  settings(repo: string, stripOutputs: boolean): Promise<IGitRepo> {
    return this._send('PUT', 'settings', { repo, stripOutputs });
  }

  private _get<T>(endpoint: string, query: Record<string, string | number | undefined>) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    return this._fetch<T>(`git/${endpoint}?${params}`);
  }

  private _post<T>(endpoint: string, body: unknown): Promise<T> {
    return this._send('POST', endpoint, body);
  }

  private _send<T>(method: string, endpoint: string, body: unknown): Promise<T> {
    return this._fetch<T>(`git/${endpoint}`, {
      method,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  }
}
