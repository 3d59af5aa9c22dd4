import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { type Request, Router } from 'express';
import git from 'isomorphic-git';
import type { GitRepo } from '../../../schema/generated/api';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import { refuseInsideWorkspace, resolveInWorkspace } from '../core/workspace';
import { validateBody } from '../core/validate';
import { checkoutBranch, createBranch, currentBranch, fastForward, listBranches } from './branches';
import { commit, discard, restore, stage, unstage } from './changes';
import { diffPath } from './diff';
import { gitCall } from './errors';
import { INDEX, log, prefetchHistory, readAt, WORKTREE } from './history';
import { addRemote, deleteRemote, fetchRemote, listRemotes, pullRemote, pushRemote, type RemoteDeps } from './remotes';
import { findRepo, type Repo, repoPath, requireRepo, STRIP_KEY, stripOutputsOf, withRepoLock } from './repo';
import { headOid, repoStatusFull } from './status';

export interface GitRouteDeps extends RemoteDeps {
  workspaceDir: string;
}

function q(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw AppError.invalid(`The query parameter ${name} must be given once`);
  return v;
}

function int(req: Request, name: string, dflt: number, max: number): number {
  const v = q(req, name);
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw AppError.invalid(`${name} must be an integer from 0 to ${max}`);
  return n;
}

export function gitRoutes(deps: GitRouteDeps): Router {
  const router = Router();
  // The repositories are the server's folder: from inside a managed workspace, 409 (docs/workspaces.md).
  router.use('/git', (_req, _res, next) => {
    refuseInsideWorkspace('Git');
    next();
  });
  const ws = deps.workspaceDir;
  const user = (req: Request): string => identityOf(req).user.name;
  // `repo` may be left out of queries that name a file: the file's own repository is used (run panel links)
  const repoOf = (req: Request, source: 'query' | 'body' = 'query'): Repo =>
    requireRepo(ws, source === 'query' ? (q(req, 'repo') ?? q(req, 'path') ?? '') : (req.body as { repo: string }).repo);
  const paths = (repo: Repo, list: string[]): string[] => list.map(p => repoPath(ws, repo, p, true));

  async function describe(repo: Repo | undefined, who: string): Promise<GitRepo> {
    if (!repo) return { root: null, branch: null, head: null, detached: false, remotes: [], stripOutputs: false };
    const branch = await currentBranch(repo);
    const head = await headOid(repo);
    prefetchHistory(repo, head);
    return {
      root: repo.prefix,
      branch,
      head,
      detached: branch === null,
      remotes: await listRemotes(repo, deps, who),
      stripOutputs: await stripOutputsOf(repo)
    };
  }
  const statusOf = async (repo: Repo) => {
    const { files, truncated } = await repoStatusFull(repo);
    return truncated ? { files, truncated } : { files };
  };

  router.get('/git/repo', async (req, res) => {
    res.json(await gitCall(async () => describe(findRepo(ws, q(req, 'path') ?? ''), user(req))));
  });

  router.post('/git/init', validateBody('git-init-request.json'), async (req, res) => {
    const path = (req.body as { path: string }).path;
    const abs = resolveInWorkspace(ws, path === '' ? '.' : path);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new AppError(404, 'folder_not_found', `"${path}" is not a folder of the workspace`, { path });
    const existing = findRepo(ws, path);
    if (!existing || existing.dir !== fs.realpathSync(abs)) {
      await gitCall(() => git.init({ fs, dir: abs, defaultBranch: 'main' }));
    }
    res.json(await gitCall(async () => describe(findRepo(ws, path), user(req))));
  });

  router.get('/git/status', async (req, res) => {
    const repo = repoOf(req);
    // under the lock: a commit in progress rewrites the index this reads
    res.json(await withRepoLock(repo, () => gitCall(() => statusOf(repo))));
  });

  const pathsOp = (name: string, fn: (repo: Repo, paths: string[]) => Promise<void>) =>
    router.post(`/git/${name}`, validateBody('git-paths-request.json'), async (req, res) => {
      const repo = repoOf(req, 'body');
      const list = paths(repo, (req.body as { paths: string[] }).paths);
      res.json(await withRepoLock(repo, () => gitCall(async () => (await fn(repo, list), statusOf(repo)))));
    });
  pathsOp('stage', stage);
  pathsOp('unstage', unstage);
  pathsOp('discard', discard);

  router.post('/git/commit', validateBody('git-commit-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const body = req.body as { message?: string; amend?: boolean; paths?: string[] };
    const list = body.paths ? paths(repo, body.paths) : undefined;
    res.json(await withRepoLock(repo, () => gitCall(() => commit(repo, { message: body.message, amend: body.amend, paths: list, user: user(req) }))));
  });

  router.get('/git/log', async (req, res) => {
    const repo = repoOf(req);
    const path = q(req, 'path');
    const opts = { ref: q(req, 'ref') || 'HEAD', path: path ? repoPath(ws, repo, path) : undefined, limit: int(req, 'limit', 100, 1000), skip: int(req, 'skip', 0, 1_000_000) };
    res.json({ commits: await gitCall(() => log(repo, opts)) });
  });

  router.get('/git/show', async (req, res) => {
    const repo = repoOf(req);
    const wsp = q(req, 'path');
    const path = repoPath(ws, repo, wsp);
    const ref = q(req, 'ref') || 'HEAD';
    const { oid, content } = await gitCall(() => readAt(repo, ref, path));
    if (!content) throw new AppError(404, 'file_not_found', `"${wsp}" does not exist at ${ref}`, { path: wsp, ref });
    const binary = content.subarray(0, 8000).includes(0);
    res.json({
      path: wsp,
      ref,
      oid,
      content: Buffer.from(content).toString(binary ? 'base64' : 'utf8'),
      encoding: binary ? 'base64' : 'utf-8',
      notebook: !binary && wsp!.toLowerCase().endsWith('.ipynb')
    });
  });

  router.get('/git/diff', async (req, res) => {
    const repo = repoOf(req);
    const wsp = q(req, 'path');
    const path = repoPath(ws, repo, wsp);
    const from = q(req, 'from') || 'HEAD';
    const to = q(req, 'to') || WORKTREE;
    res.json({ ...(await gitCall(() => diffPath(repo, path, from, to))), path: wsp });
  });

  router.post('/git/restore', validateBody('git-restore-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const body = req.body as { path: string; ref: string };
    if (body.ref === WORKTREE) throw AppError.invalid('Restore from a commit or INDEX, not WORKTREE');
    const path = repoPath(ws, repo, body.path);
    const { oid } = await withRepoLock(repo, () => gitCall(() => restore(repo, path, body.ref === INDEX ? INDEX : body.ref)));
    res.json({ path: body.path, ref: body.ref, oid });
  });

  router.get('/git/branches', async (req, res) => {
    const repo = repoOf(req);
    res.json(await gitCall(() => listBranches(repo)));
  });
  router.post('/git/branches', validateBody('git-branch-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const body = req.body as { name: string; from?: string };
    res.status(201).json(await withRepoLock(repo, () => gitCall(async () => (await createBranch(repo, body.name, body.from), listBranches(repo)))));
  });
  router.post('/git/checkout', validateBody('git-checkout-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const branch = (req.body as { branch: string }).branch;
    res.json(await withRepoLock(repo, () => gitCall(async () => (await checkoutBranch(repo, branch), listBranches(repo)))));
  });
  router.post('/git/merge', validateBody('git-merge-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    res.json(await withRepoLock(repo, () => gitCall(() => fastForward(repo, (req.body as { branch: string }).branch))));
  });

  router.get('/git/remotes', async (req, res) => {
    const repo = repoOf(req);
    res.json({ remotes: await gitCall(() => listRemotes(repo, deps, user(req))) });
  });
  router.post('/git/remotes', validateBody('git-remote-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const body = req.body as { name: string; url: string; username?: string; password?: string };
    await withRepoLock(repo, () => gitCall(() => addRemote(repo, deps, user(req), body)));
    res.status(201).json({ remotes: await listRemotes(repo, deps, user(req)) });
  });
  router.delete('/git/remotes', async (req, res) => {
    const repo = repoOf(req);
    const name = q(req, 'name');
    if (!name) throw AppError.invalid('The query parameter name (the remote) is required');
    await withRepoLock(repo, () => gitCall(() => deleteRemote(repo, deps, user(req), name)));
    res.json({ remotes: await listRemotes(repo, deps, user(req)) });
  });

  const remoteOp = (name: 'fetch' | 'pull' | 'push') =>
    router.post(`/git/${name}`, validateBody('git-remote-op-request.json'), async (req, res) => {
      const repo = repoOf(req, 'body');
      const body = req.body as { remote: string; branch?: string; opId?: string };
      const op = { remote: body.remote, branch: body.branch, opId: body.opId ?? randomUUID(), user: user(req) };
      const result = await gitCall(async () => {
        if (name === 'pull') return pullRemote(repo, deps, op); // takes both locks in turn
        if (name === 'fetch') return withRepoLock(repo, () => fetchRemote(repo, deps, op), 'network');
        await withRepoLock(repo, () => pushRemote(repo, deps, op), 'network');
        return { oid: await headOid(repo) };
      });
      res.json({ opId: op.opId, ...result });
    });
  remoteOp('fetch');
  remoteOp('pull');
  remoteOp('push');

  router.put('/git/settings', validateBody('git-settings-request.json'), async (req, res) => {
    const repo = repoOf(req, 'body');
    const strip = (req.body as { stripOutputs: boolean }).stripOutputs;
    await withRepoLock(repo, () => gitCall(() => git.setConfig({ fs, dir: repo.dir, path: STRIP_KEY, value: strip })));
    res.json(await gitCall(() => describe(repo, user(req))));
  });

  return router;
}
