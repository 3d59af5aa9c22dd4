import { Signal } from '@lumino/signaling';

import type { ServerEvent } from '../../../schema/generated/api';
import { ConveyorAPIError } from '../../core/api';
import { GitDiffModel, patchLines } from '../diff';
import { GitDrive } from '../drive';
import { describeError, needsCredentials } from '../errors';
import { HistoryModel } from '../history';
import { GitModel } from '../model';
import type { IGitCommit, IGitFile, IGitRepo } from '../types';

/** A fake API: answers by endpoint, records every call (path, method, body). */
function fakeFetch(answers: Record<string, unknown | ((body: any, url: string) => unknown)>) {
  const calls: { path: string; method: string; body: any }[] = [];
  const fetch = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ path, method, body });
    const endpoint = `${method} ${path.split('?')[0]}`;
    const answer = answers[endpoint];
    if (answer === undefined) {
      throw new Error(`unexpected ${endpoint}`);
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return (typeof answer === 'function' ? answer(body, path) : answer) as T;
  };
  return { fetch, calls };
}

const repo: IGitRepo = {
  root: 'project',
  branch: 'main',
  head: 'a'.repeat(40),
  detached: false,
  remotes: [{ name: 'origin', url: 'http://127.0.0.1:1/r.git', hasCredentials: false }],
  stripOutputs: false
};

const files: IGitFile[] = [
  { path: 'project/a.ipynb', status: 'modified', staged: true, unstaged: false },
  { path: 'project/b.ipynb', status: 'modified', staged: false, unstaged: true },
  { path: 'project/c.py', status: 'modified', staged: true, unstaged: true },
  { path: 'project/new.ipynb', status: 'untracked', staged: false, unstaged: true }
];

function apiError(status: number, code: string, message: string, details?: Record<string, unknown>) {
  return new ConveyorAPIError(new Response(null, { status }), message, code, details);
}

const trans = { __: (s: string, ...a: unknown[]) => a.reduce<string>((t, v, i) => t.replace(`%${i + 1}`, String(v)), s) } as any;

describe('GitModel', () => {
  const standard = {
    'GET git/repo': repo,
    'GET git/status': { files },
    'GET git/branches': { current: 'main', branches: [{ name: 'main', oid: repo.head }] }
  };

  it('loads the repository of the folder, then groups its files into staged, changes and untracked', async () => {
    const { fetch, calls } = fakeFetch(standard);
    const model = new GitModel({ requestAPI: fetch, path: 'project/sub', autoStart: false });
    await model.refresh();
    expect(calls[0].path).toBe('git/repo?path=project%2Fsub');
    expect(calls.map(c => c.path)).toContain('git/status?repo=project');
    expect(model.inRepo).toBe(true);
    expect(model.staged.map(f => f.path)).toEqual(['project/a.ipynb', 'project/c.py']);
    expect(model.unstaged.map(f => f.path)).toEqual(['project/b.ipynb', 'project/c.py']);
    expect(model.untracked.map(f => f.path)).toEqual(['project/new.ipynb']);
    expect(model.branches?.current).toBe('main');
    model.dispose();
  });

  it('shows "not a repository" for a folder in none, and names the workspace root "."', async () => {
    const { fetch, calls } = fakeFetch({ 'GET git/repo': { ...repo, root: null } });
    const model = new GitModel({ requestAPI: fetch, path: '', autoStart: false });
    await model.refresh();
    expect(calls.map(c => c.path)).toEqual(['git/repo?path=.']);
    expect(model.inRepo).toBe(false);
    model.dispose();
  });

  it('commits the staged files with the message, then clears the message and amend', async () => {
    const { fetch, calls } = fakeFetch({ ...standard, 'POST git/commit': { oid: 'b'.repeat(40) } });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    await model.refresh();
    expect(model.canCommit).toBe(false);
    model.message = '  Tune the learning rate ';
    expect(model.canCommit).toBe(true);
    model.amend = true;
    const oid = await model.commit();
    expect(oid).toBe('b'.repeat(40));
    const commit = calls.find(c => c.path === 'git/commit')!;
    expect(commit.body).toEqual({ repo: 'project', message: 'Tune the learning rate', amend: true });
    expect(model.message).toBe('');
    expect(model.amend).toBe(false);
    model.dispose();
  });

  it('cannot commit with nothing staged unless amending', async () => {
    const { fetch } = fakeFetch({ ...standard, 'GET git/status': { files: [files[1]] } });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    await model.refresh();
    model.message = 'msg';
    expect(model.canCommit).toBe(false);
    model.amend = true;
    expect(model.canCommit).toBe(true);
    model.dispose();
  });

  it('stages, unstages and discards the named paths and shows the status the server answers', async () => {
    const after = [{ ...files[1], staged: true, unstaged: false }];
    const { fetch, calls } = fakeFetch({
      ...standard,
      'POST git/stage': { files: after },
      'POST git/unstage': { files },
      'POST git/discard': { files: [] }
    });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    await model.refresh();
    await model.stage(['project/b.ipynb']);
    expect(calls.find(c => c.path === 'git/stage')!.body).toEqual({ repo: 'project', paths: ['project/b.ipynb'] });
    await model.discard(['project/b.ipynb']);
    expect(calls.find(c => c.path === 'git/discard')!.body.paths).toEqual(['project/b.ipynb']);
    model.dispose();
  });

  it('rejects a checkout with the server’s uncommitted_changes error, and explains it with the paths', async () => {
    const conflict = apiError(409, 'uncommitted_changes', 'Uncommitted changes', {
      paths: ['project/b.ipynb']
    });
    const { fetch } = fakeFetch({ ...standard, 'POST git/checkout': conflict });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    await model.refresh();
    const error = await model.checkout('other').catch(e => e);
    expect(error).toBe(conflict);
    expect(model.busy).toBeNull();
    const text = describeError(error, trans);
    expect(text).toContain('project/b.ipynb');
    expect(text).toContain('Commit or discard');
    model.dispose();
  });

  it('initialises a repository in the folder, sets strip outputs and removes a remote by query', async () => {
    let inited = false;
    let strip = false;
    const { fetch, calls } = fakeFetch({
      ...standard,
      'GET git/repo': () => (inited ? { ...repo, stripOutputs: strip } : { ...repo, root: null }),
      'POST git/init': () => ((inited = true), repo),
      'PUT git/settings': (body: any) => ((strip = body.stripOutputs), { ...repo, stripOutputs: strip }),
      'DELETE git/remotes': { remotes: [] }
    });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    await model.refresh();
    expect(model.inRepo).toBe(false);
    await model.init();
    expect(calls.find(c => c.path === 'git/init')!.body).toEqual({ path: 'project' });
    expect(model.inRepo).toBe(true);
    await model.setStripOutputs(true);
    expect(calls.find(c => c.path === 'git/settings')!.body).toEqual({ repo: 'project', stripOutputs: true });
    expect(model.repo?.stripOutputs).toBe(true);
    await model.removeRemote('origin');
    expect(calls.some(c => c.method === 'DELETE' && c.path === 'git/remotes?repo=project&name=origin')).toBe(true);
    model.dispose();
  });

  it('never lets a load that started before a checkout overwrite what the checkout changed', async () => {
    let current = 'main';
    const held: (() => void)[] = [];
    const { fetch } = fakeFetch({
      ...standard,
      // The first branches answer is held back until after the checkout.
      'GET git/branches': () => {
        const answer = { current, branches: [{ name: 'main', oid: 'a' }, { name: 'x', oid: 'a' }] };
        return held.length === 0
          ? new Promise(resolve => held.push(() => resolve(answer)))
          : answer;
      },
      'POST git/checkout': (body: any) => ((current = body.branch), { current, branches: [] })
    });
    const model = new GitModel({ requestAPI: fetch, path: 'project', autoStart: false });
    const early = model.reload();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(held).toHaveLength(1);
    held.push(() => undefined);
    await model.checkout('x');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.branches?.current).toBe('x');
    held[0]();
    await early;
    expect(model.branches?.current).toBe('x');
    model.dispose();
  });

  it('explains a merge that is not a fast-forward', () => {
    const text = describeError(apiError(409, 'merge_required', 'Merge required'), trans);
    expect(text).toContain('not a fast-forward');
  });

  it('follows the progress events of its own push only, and forgets them when done', async () => {
    const events = new Signal<unknown, ServerEvent>({});
    let release: () => void = () => undefined;
    const { fetch, calls } = fakeFetch({
      ...standard,
      'POST git/push': () => new Promise<void>(resolve => (release = resolve))
    });
    const model = new GitModel({ requestAPI: fetch, events: { events }, path: 'project', autoStart: false });
    await model.refresh();
    const pushing = model.sync('push', 'origin');
    await Promise.resolve();
    const opId = calls.find(c => c.path === 'git/push')!.body.opId;
    expect(typeof opId).toBe('string');
    expect(model.busy).toBe('push');
    events.emit({ type: 'git.progress', opId: 'someone-else', phase: 'x' } as any);
    expect(model.progress).toBeNull();
    events.emit({ type: 'git.progress', opId, phase: 'Compressing objects', loaded: 3, total: 10 } as any);
    expect(model.progress).toMatchObject({ phase: 'Compressing objects', loaded: 3, total: 10 });
    release();
    await pushing;
    expect(model.progress).toBeNull();
    expect(model.busy).toBeNull();
    model.dispose();
  });

  it('recognises a remote refusing credentials, not the caller’s own session', () => {
    expect(needsCredentials(apiError(401, 'auth_required', 'Authentication required'))).toBe(true);
    expect(needsCredentials(apiError(401, 'unauthenticated', 'Log in'))).toBe(false);
    expect(needsCredentials(apiError(409, 'merge_required', 'x'))).toBe(false);
  });
});

function commit(n: number): IGitCommit {
  return {
    oid: String(n).repeat(40).slice(0, 40),
    message: `c${n}\n`,
    summary: `c${n}`,
    author: { name: 'ada', email: 'ada@conveyor.local', timestamp: 1_700_000_000 + n },
    committer: { name: 'ada', email: 'ada@conveyor.local', timestamp: 1_700_000_000 + n },
    parents: []
  };
}

describe('HistoryModel', () => {
  it('pages the log of one file and keeps at most two checked commits, older first in the pair', async () => {
    const { fetch, calls } = fakeFetch({
      'GET git/log': (_: unknown, url: string) =>
        ({ commits: url.includes('skip=0') ? [commit(3), commit(2)] : [commit(1)] })
    });
    const model = new HistoryModel({ requestAPI: fetch, repo: 'project', path: 'project/a.ipynb', pageSize: 2 });
    await model.reload();
    expect(calls[0].path).toBe('git/log?repo=project&path=project%2Fa.ipynb&limit=2&skip=0');
    expect(model.hasMore).toBe(true);
    await model.more();
    expect(model.commits.map(c => c.summary)).toEqual(['c3', 'c2', 'c1']);
    expect(model.hasMore).toBe(false);
    model.toggle(commit(3).oid);
    expect(model.pair).toBeNull();
    model.toggle(commit(1).oid);
    expect(model.pair).toEqual([commit(1).oid, commit(3).oid]);
    model.toggle(commit(2).oid);
    expect(model.checked).toEqual([commit(1).oid, commit(2).oid]);
  });
});

describe('GitDiffModel', () => {
  it('asks for the diff of a path between HEAD and the working copy by default and keeps the warnings', async () => {
    const { fetch, calls } = fakeFetch({
      'GET git/diff': { kind: 'text', patch: '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n', warnings: ['corrupt notebook'] }
    });
    const model = new GitDiffModel({ requestAPI: fetch, repo: 'project', path: 'project/a.ipynb' });
    await model.load();
    expect(calls[0].path).toBe('git/diff?repo=project&path=project%2Fa.ipynb&from=HEAD&to=WORKTREE');
    expect(model.warnings).toEqual(['corrupt notebook']);
    expect(patchLines((model.diff as any).patch).map(l => l.kind)).toEqual(['meta', 'meta', 'hunk', 'del', 'add']);
    expect(GitDiffModel.label('WORKTREE', 'working copy', 'staged')).toBe('working copy');
    expect(GitDiffModel.label('c'.repeat(40), 'w', 's')).toBe('ccccccc');
  });
});

describe('GitDrive', () => {
  it('serves a notebook at a commit read-only from /git/show, and refuses to save it', async () => {
    const nb = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const { fetch, calls } = fakeFetch({
      'GET git/show': { path: 'project/a.ipynb', ref: 'abc', oid: 'abc', content: JSON.stringify(nb), encoding: 'utf-8', notebook: true }
    });
    const drive = new GitDrive({ requestAPI: fetch, serverSettings: {} as any });
    expect(GitDrive.pathFor('abc', 'project/a.ipynb')).toBe('conveyor-git:abc/project/a.ipynb');
    const model = await drive.get('abc/project/a.ipynb');
    expect(calls[0].path).toBe('git/show?repo=project&ref=abc&path=project%2Fa.ipynb');
    expect(model).toMatchObject({ name: 'a.ipynb', type: 'notebook', writable: false, content: nb });
    await expect(drive.save()).rejects.toThrow(/read-only/);
  });
});
