import fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { GitCommit } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { oidAtPath, readCommitFast, readIndexFile, readObj } from './objects';
import type { ParsedCommit } from './odb';
import type { Repo } from './repo';

function unknownRef(ref: string): AppError {
  return new AppError(404, 'unknown_ref', `"${ref}" is not a commit, branch or tag of this repository`, { ref });
}

async function peel(repo: Repo, oid: string): Promise<string> {
  for (let i = 0; i < 10; i++) {
    const { type, content } = await readObj(repo, oid);
    if (type === 'commit') return oid;
    if (type !== 'tag') break;
    oid = /^object ([0-9a-f]{40})/.exec(content.toString('latin1'))?.[1] ?? '';
  }
  throw new AppError(400, 'not_a_commit', `${oid} is not a commit`);
}

/** A commit id from a commit-ish: branch, tag, HEAD, full or short id, with `~N` / `^` suffixes. */
export async function resolveCommit(repo: Repo, ref: string): Promise<string> {
  const m = /^(.+?)((?:[~^]\d*)*)$/.exec(ref.trim());
  if (!m || ref.length > 256) throw unknownRef(ref);
  const [, base, suffix] = m;
  let oid: string | undefined;
  try {
    oid = await git.resolveRef({ fs: repo.fs, dir: repo.dir, ref: base });
  } catch {
    if (/^[0-9a-f]{4,40}$/i.test(base)) {
      try {
        oid = await git.expandOid({ fs: repo.fs, dir: repo.dir, oid: base.toLowerCase(), cache: repo.cache });
      } catch (err) {
        if ((err as { code?: string }).code === 'AmbiguousError') throw new AppError(400, 'ambiguous_ref', `The short id "${base}" is ambiguous`, { ref });
      }
    }
  }
  if (!oid) throw unknownRef(ref);
  oid = await peel(repo, oid);
  for (const step of suffix.match(/[~^]\d*/g) ?? []) {
    const n = step.length > 1 ? Number(step.slice(1)) : 1;
    for (let i = 0; i < (step[0] === '~' ? n : 1); i++) {
      const commit = await readCommitFast(repo, oid);
      const parentIndex = step[0] === '^' ? n - 1 : 0;
      if (step[0] === '^' && n === 0) break;
      const parent = commit.parents[parentIndex];
      if (!parent) throw unknownRef(ref);
      oid = parent;
    }
  }
  return oid;
}

interface Read {
  oid: string;
  commit: ParsedCommit;
}

export function toCommit(c: Read): GitCommit {
  const message = c.commit.message;
  return {
    oid: c.oid,
    message,
    summary: message.split('\n')[0] ?? '',
    author: { name: c.commit.author.name, email: c.commit.author.email, timestamp: c.commit.author.timestamp },
    committer: { name: c.commit.committer.name, email: c.commit.committer.email, timestamp: c.commit.committer.timestamp },
    parents: c.commit.parents
  };
}

export interface LogOptions {
  ref: string;
  path?: string;
  limit: number;
  skip: number;
}

/**
 * Commits reachable from `ref`, newest first by committer date (as `git log`). With a path, only the
 * commits that changed it: a commit is kept when the path's id differs from each parent's, found by
 * descending tree ids one level at a time (no commit's full tree is read).
 */
export async function log(repo: Repo, opts: LogOptions): Promise<GitCommit[]> {
  let start: string;
  try {
    start = await resolveCommit(repo, opts.ref);
  } catch (err) {
    if (opts.ref === 'HEAD') return []; // no commits yet
    throw err;
  }
  const read = async (oid: string): Promise<Read> => ({ oid, commit: await readCommitFast(repo, oid) });
  const seen = new Set<string>([start]);
  const queue: Read[] = [await read(start)];
  const out: GitCommit[] = [];
  let skipped = 0;
  while (queue.length > 0 && out.length < opts.limit) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i].commit.committer.timestamp > queue[best].commit.committer.timestamp) best = i;
    const c = queue.splice(best, 1)[0];
    const parents: Read[] = [];
    for (const p of c.commit.parents) {
      if (seen.has(p)) continue;
      seen.add(p);
      const pc = await read(p);
      parents.push(pc);
      queue.push(pc);
    }
    let keep = true;
    if (opts.path) {
      const mine = await oidAtPath(repo, c.commit.tree, opts.path);
      if (c.commit.parents.length === 0) keep = mine !== null;
      else {
        keep = true;
        for (const p of c.commit.parents) {
          const pc = parents.find(x => x.oid === p) ?? (await read(p));
          const theirs = pc.commit.tree === c.commit.tree ? mine : await oidAtPath(repo, pc.commit.tree, opts.path);
          if (theirs === mine) keep = false;
        }
      }
    }
    if (!keep) continue;
    if (skipped < opts.skip) skipped++;
    else out.push(toCommit(c));
  }
  return out;
}

export const WORKTREE = 'WORKTREE';
export const INDEX = 'INDEX';

/** The bytes of `path` at a commit-ish, in the index or in the working tree; null when absent there. */
export async function readAt(repo: Repo, ref: string, path: string): Promise<{ oid: string | null; content: Uint8Array | null }> {
  if (ref === WORKTREE) {
    const abs = join(repo.dir, path);
    try {
      const st = fs.lstatSync(abs);
      if (st.isDirectory()) throw new AppError(400, 'not_a_file', `"${path}" is a folder`, { path });
      return { oid: null, content: st.isSymbolicLink() ? Buffer.from(fs.readlinkSync(abs)) : fs.readFileSync(abs) };
    } catch (err) {
      if (err instanceof AppError) throw err;
      return { oid: null, content: null };
    }
  }
  let oid: string | null;
  if (ref === INDEX) oid = readIndexFile(repo).entries.get(path)?.oid ?? null;
  else {
    const commit = await resolveCommit(repo, ref);
    oid = await oidAtPath(repo, (await readCommitFast(repo, commit)).tree, path);
  }
  if (!oid) return { oid: null, content: null };
  const { type, content } = await readObj(repo, oid);
  if (type !== 'blob') throw new AppError(400, 'not_a_file', `"${path}" is a folder at ${ref}`, { path, ref });
  return { oid, content };
}

const prefetched = new Set<string>();

/**
 * Reads the commits (and their root trees) reachable from HEAD in the background, in small batches
 * between requests, so the first history of a notebook does not pay for parsing them. Once per HEAD.
 */
export function prefetchHistory(repo: Repo, head: string | null, max = 20_000): void {
  if (!head || prefetched.has(`${repo.dir}\0${head}`)) return;
  if (prefetched.size > 1000) prefetched.clear();
  prefetched.add(`${repo.dir}\0${head}`);
  const queue = [head];
  const seen = new Set(queue);
  const batch = async (): Promise<void> => {
    for (let i = 0; i < 16 && queue.length > 0 && seen.size <= max; i++) {
      const c = await readCommitFast(repo, queue.pop()!);
      await readObj(repo, c.tree);
      for (const p of c.parents) if (!seen.has(p)) (seen.add(p), queue.push(p));
    }
    if (queue.length > 0 && seen.size <= max) setImmediate(() => void batch().catch(() => undefined));
  };
  setImmediate(() => void batch().catch(() => undefined));
}
