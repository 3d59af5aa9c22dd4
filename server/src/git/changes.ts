import fs from 'node:fs';
import { dirname, join } from 'node:path';
import git, { type TreeEntry as GitTreeEntry } from 'isomorphic-git';
import type { GitFileStatus } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { readAt } from './history';
import { readIndexFile, type TreeEntry } from './objects';
import { authorOf, type Repo, stripOutputsOf, wsPath } from './repo';
import { headOid, headTree, repoStatus } from './status';
import { stripNotebookBytes } from './strip';

/** Status entries for the requested repository paths (a folder selects everything under it). */
function select(repo: Repo, status: GitFileStatus[], paths: string[]): GitFileStatus[] {
  if (paths.some(p => p === '.' || p === '')) return status;
  const wanted = paths.map(p => wsPath(repo, p));
  return status.filter(s => wanted.some(w => s.path === w || s.path.startsWith(`${w}/`)));
}

function toRepo(repo: Repo, ws: string): string {
  return repo.prefix ? ws.slice(repo.prefix.length + 1) : ws;
}

/** Stages one file as it is in the working copy (outputs stripped when the repository says so). */
async function stageFile(repo: Repo, path: string, strip: boolean): Promise<void> {
  const abs = join(repo.dir, path);
  if (!fs.existsSync(abs) && !isLink(abs)) {
    await git.remove({ fs: repo.fs, dir: repo.dir, filepath: path, cache: repo.cache });
    return;
  }
  if (strip && path.endsWith('.ipynb')) {
    const raw = fs.readFileSync(abs);
    const clean = stripNotebookBytes(raw);
    if (clean !== raw) {
      const oid = await git.writeBlob({ fs: repo.fs, dir: repo.dir, blob: clean });
      await git.updateIndex({ fs: repo.fs, dir: repo.dir, filepath: path, oid, mode: 0o100644, add: true, cache: repo.cache });
      return;
    }
  }
  await git.add({ fs: repo.fs, dir: repo.dir, filepath: path, cache: repo.cache, force: true });
}

function isLink(abs: string): boolean {
  try {
    return fs.lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}

export async function stage(repo: Repo, paths: string[]): Promise<void> {
  const strip = await stripOutputsOf(repo);
  for (const s of select(repo, await repoStatus(repo), paths)) {
    if (s.unstaged) await stageFile(repo, toRepo(repo, s.path), strip);
  }
}

export async function unstage(repo: Repo, paths: string[]): Promise<void> {
  const hasHead = (await headOid(repo)) !== null;
  for (const s of select(repo, await repoStatus(repo), paths)) {
    if (!s.staged) continue;
    const filepath = toRepo(repo, s.path);
    if (hasHead) await git.resetIndex({ fs: repo.fs, dir: repo.dir, filepath, cache: repo.cache });
    else await git.remove({ fs: repo.fs, dir: repo.dir, filepath, cache: repo.cache });
  }
}

/** Puts the staged version back in the working copy; untracked files are never deleted. */
export async function discard(repo: Repo, paths: string[]): Promise<void> {
  const status = await repoStatus(repo);
  for (const p of paths) {
    if (status.some(s => s.path === wsPath(repo, p) && s.status === 'untracked')) {
      throw new AppError(400, 'untracked_path', `"${wsPath(repo, p)}" is untracked: there is no version to go back to (delete the file instead)`, { path: wsPath(repo, p) });
    }
  }
  const index = readIndexFile(repo);
  for (const s of select(repo, status, paths)) {
    if (!s.unstaged || s.status === 'untracked') continue;
    const filepath = toRepo(repo, s.path);
    const entry = index.entries.get(filepath);
    if (!entry) continue;
    const { object } = await git.readObject({ fs: repo.fs, dir: repo.dir, oid: entry.oid, cache: repo.cache, format: 'content' });
    writeWorking(repo, filepath, object as Uint8Array);
    await git.add({ fs: repo.fs, dir: repo.dir, filepath, cache: repo.cache, force: true });
  }
}

function writeWorking(repo: Repo, path: string, content: Uint8Array): void {
  const abs = join(repo.dir, path);
  fs.mkdirSync(dirname(abs), { recursive: true });
  const tmp = `${abs}.conveyor-${process.pid}-${Date.now()}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, abs);
}

/** Writes a version of `path` to the working copy (nothing staged or committed). */
export async function restore(repo: Repo, path: string, ref: string): Promise<{ oid: string }> {
  const { oid, content } = await readAt(repo, ref, path);
  if (!oid || !content) throw new AppError(404, 'file_not_found', `"${wsPath(repo, path)}" does not exist at ${ref}`, { path: wsPath(repo, path), ref });
  writeWorking(repo, path, content);
  return { oid };
}

/** Writes nested tree objects for a flat path → entry map; returns the root tree id. */
async function writeFlatTree(repo: Repo, flat: Map<string, TreeEntry>): Promise<string> {
  interface Dir {
    files: GitTreeEntry[];
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: [], dirs: new Map() };
  for (const [path, e] of flat) {
    const parts = path.split('/');
    let d = root;
    for (const part of parts.slice(0, -1)) {
      let next = d.dirs.get(part);
      if (!next) d.dirs.set(part, (next = { files: [], dirs: new Map() }));
      d = next;
    }
    d.files.push({ mode: e.mode, path: parts[parts.length - 1], oid: e.oid, type: e.type });
  }
  const write = async (d: Dir): Promise<string> => {
    const tree = [...d.files];
    for (const [name, sub] of d.dirs) tree.push({ mode: '040000', path: name, oid: await write(sub), type: 'tree' });
    return git.writeTree({ fs: repo.fs, dir: repo.dir, tree });
  };
  return write(root);
}

/** Strips the outputs of the staged notebooks (when on) so no commit carries them. */
async function stripStaged(repo: Repo, head: Map<string, TreeEntry>): Promise<void> {
  const index = readIndexFile(repo);
  for (const e of index.entries.values()) {
    if (!e.path.endsWith('.ipynb') || head.get(e.path)?.oid === e.oid) continue;
    const { object } = await git.readObject({ fs: repo.fs, dir: repo.dir, oid: e.oid, cache: repo.cache, format: 'content' });
    const clean = stripNotebookBytes(object as Uint8Array);
    if (clean === object) continue;
    const oid = await git.writeBlob({ fs: repo.fs, dir: repo.dir, blob: clean });
    await git.updateIndex({ fs: repo.fs, dir: repo.dir, filepath: e.path, oid, mode: 0o100644, add: true, cache: repo.cache });
  }
}

export interface CommitRequest {
  message?: string;
  amend?: boolean;
  /** Commit only these repository paths (staged first), leaving the rest of the index alone. */
  paths?: string[];
  user: string;
}

export async function commit(repo: Repo, req: CommitRequest): Promise<{ oid: string }> {
  const parent = await headOid(repo);
  if (req.amend && !parent) throw new AppError(400, 'nothing_to_amend', 'There is no commit to amend yet');
  if (!req.amend && !req.message?.trim()) throw AppError.invalid('A commit message is required');
  if (req.paths) await stage(repo, req.paths);
  const head = await headTree(repo);
  if (await stripOutputsOf(repo)) await stripStaged(repo, head);
  const staged = select(repo, await repoStatus(repo), req.paths ?? ['.']).filter(s => s.staged);
  if (staged.length === 0 && !req.amend) throw new AppError(400, 'nothing_to_commit', 'Nothing is staged to commit', { paths: req.paths ?? [] });
  let tree: string | undefined;
  if (req.paths) {
    const index = readIndexFile(repo);
    const flat = new Map(head);
    for (const s of staged) {
      const p = toRepo(repo, s.path);
      const e = index.entries.get(p);
      if (e) flat.set(p, { oid: e.oid, mode: e.mode.toString(8).padStart(6, '0'), type: 'blob' });
      else flat.delete(p);
    }
    tree = await writeFlatTree(repo, flat);
  }
  const me = authorOf(req.user);
  const now = Math.floor(Date.now() / 1000);
  const committer = { ...me, timestamp: now, timezoneOffset: 0 };
  let author = committer;
  let message = req.message?.trim() ? req.message : '';
  let parents: string[] | undefined;
  if (req.amend && parent) {
    const { commit: old } = await git.readCommit({ fs: repo.fs, dir: repo.dir, oid: parent, cache: repo.cache });
    author = old.author;
    if (!message) message = old.message;
    parents = old.parent;
  }
  if (!message.endsWith('\n')) message += '\n';
  const oid = await git.commit({ fs: repo.fs, dir: repo.dir, message, author, committer, tree, parent: parents, cache: repo.cache });
  return { oid };
}
