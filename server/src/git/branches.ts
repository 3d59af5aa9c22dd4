import git from 'isomorphic-git';
import type { GitBranches } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { resolveCommit } from './history';
import { flattenTree, treeOf } from './objects';
import type { Repo } from './repo';
import { headOid, repoStatus } from './status';

export async function currentBranch(repo: Repo): Promise<string | null> {
  return (await git.currentBranch({ fs: repo.fs, dir: repo.dir, fullname: false })) ?? null;
}

export async function listBranches(repo: Repo): Promise<GitBranches> {
  const names = await git.listBranches({ fs: repo.fs, dir: repo.dir });
  const branches = [];
  for (const name of names.sort()) {
    try {
      branches.push({ name, oid: await git.resolveRef({ fs: repo.fs, dir: repo.dir, ref: `refs/heads/${name}` }) });
    } catch {
      // the current branch of a repository without commits has no id yet
    }
  }
  return { current: await currentBranch(repo), branches };
}

export async function createBranch(repo: Repo, name: string, from?: string): Promise<void> {
  const start = from ? await resolveCommit(repo, from) : await headOid(repo);
  if (!start) throw new AppError(400, 'no_commits', 'Commit once before creating a branch');
  if (await branchExists(repo, name)) throw new AppError(409, 'branch_exists', `The branch "${name}" already exists`, { name });
  await git.branch({ fs: repo.fs, dir: repo.dir, ref: name, object: start });
}

async function branchExists(repo: Repo, name: string): Promise<boolean> {
  return (await git.listBranches({ fs: repo.fs, dir: repo.dir })).includes(name);
}

/**
 * 409 uncommitted_changes (with the paths) when tracked files have changes, or when untracked
 * files would be overwritten by `targetCommit`: switching or merging must never lose work.
 */
async function refuseToLoseWork(repo: Repo, targetCommit: string | null, action: string): Promise<void> {
  const status = await repoStatus(repo);
  const changed = status.filter(s => s.status !== 'untracked').map(s => s.path);
  if (targetCommit) {
    const target = await flattenTree(repo, await treeOf(repo, targetCommit));
    const prefix = repo.prefix ? `${repo.prefix}/` : '';
    for (const s of status) if (s.status === 'untracked' && target.has(s.path.slice(prefix.length))) changed.push(s.path);
  }
  if (changed.length > 0) {
    throw new AppError(409, 'uncommitted_changes', `Commit, stash or discard your changes before you ${action}: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`, {
      paths: changed
    });
  }
}

export async function checkoutBranch(repo: Repo, branch: string): Promise<void> {
  if (!(await branchExists(repo, branch))) throw new AppError(404, 'unknown_branch', `There is no branch "${branch}"`, { branch });
  if ((await currentBranch(repo)) === branch) return;
  const target = await git.resolveRef({ fs: repo.fs, dir: repo.dir, ref: `refs/heads/${branch}` });
  await refuseToLoseWork(repo, target, `switch to ${branch}`);
  await git.checkout({ fs: repo.fs, dir: repo.dir, ref: branch, cache: repo.cache });
}

/** Fast-forwards the current branch to `theirs` (a branch, remote branch or commit); 409 merge_required otherwise. */
export async function fastForward(repo: Repo, theirs: string): Promise<{ oid: string; fastForward: boolean; alreadyUpToDate: boolean }> {
  const ours = await currentBranch(repo);
  if (!ours) throw new AppError(400, 'detached_head', 'HEAD is detached: switch to a branch first');
  const target = await resolveCommit(repo, theirs);
  const mine = await headOid(repo);
  if (mine === target) return { oid: target, fastForward: false, alreadyUpToDate: true };
  await refuseToLoseWork(repo, target, `merge ${theirs}`);
  if (mine) {
    const base = await git.findMergeBase({ fs: repo.fs, dir: repo.dir, oids: [mine, target], cache: repo.cache });
    if (base.includes(target)) return { oid: mine, fastForward: false, alreadyUpToDate: true };
    if (!base.includes(mine)) {
      throw new AppError(409, 'merge_required', `"${ours}" and "${theirs}" have diverged: a real merge is needed (only fast-forward merges are supported here; use git merge in a terminal)`, {
        ours,
        theirs
      });
    }
  }
  await git.writeRef({ fs: repo.fs, dir: repo.dir, ref: `refs/heads/${ours}`, value: target, force: true });
  await git.checkout({ fs: repo.fs, dir: repo.dir, ref: ours, cache: repo.cache, force: true });
  return { oid: target, fastForward: true, alreadyUpToDate: false };
}
