import fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { IgnoreRules } from './ignore';
import type { GitFileStatus } from '../../../schema/generated/api';
import { flattenTree, hashBlob, type IndexEntry, readIndexFile, treeOf, type TreeEntry } from './objects';
import { type Repo, stripOutputsOf, wsPath } from './repo';
import { stripNotebookBytes } from './strip';

/** At most this many untracked files are listed (a virtualenv nobody ignored must not stall the panel). */
export const MAX_UNTRACKED = 5000;

/** Folders never listed as untracked (Jupyter's autosave copies). */
const ALWAYS_IGNORED = new Set(['.ipynb_checkpoints']);

interface Cached {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  strip: boolean;
  oid: string;
}

/** Hashes of working files whose stat no longer matches the index, by `<root>\0<path>` (a stat cache, as git's index is). */
const statCache = new Map<string, Cached>();

export interface WorkFile {
  path: string;
  stat: fs.Stats;
}

/** The commit HEAD points at, or null in a repository without commits. */
export async function headOid(repo: Repo): Promise<string | null> {
  try {
    return await git.resolveRef({ fs: repo.fs, dir: repo.dir, ref: 'HEAD' });
  } catch {
    return null;
  }
}

export async function headTree(repo: Repo): Promise<Map<string, TreeEntry>> {
  const oid = await headOid(repo);
  return oid ? flattenTree(repo, await treeOf(repo, oid)) : new Map();
}

/** Walks the working tree: tracked files by stat, untracked files unless ignored. */
async function walkWorkdir(repo: Repo, tracked: Map<string, IndexEntry>): Promise<{ files: Map<string, fs.Stats>; untracked: string[]; truncated: boolean }> {
  const trackedDirs = new Set<string>();
  for (const p of tracked.keys()) {
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) trackedDirs.add(p.slice(0, i));
  }
  const files = new Map<string, fs.Stats>();
  const untracked: string[] = [];
  const rules = new IgnoreRules(repo.dir, repo.gitdir);
  const visit = async (rel: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(rel ? join(repo.dir, rel) : repo.dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name === '.git' || ALWAYS_IGNORED.has(e.name)) continue;
        if (trackedDirs.has(p)) await visit(p);
        else if (untracked.length >= MAX_UNTRACKED) continue;
        else if (!fs.existsSync(join(repo.dir, p, '.git')) && !rules.ignored(p, true)) {
          await visit(p);
        }
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (tracked.has(p)) files.set(p, fs.lstatSync(join(repo.dir, p)));
        else if (untracked.length < MAX_UNTRACKED && !rules.ignored(p, false)) {
          untracked.push(p);
          files.set(p, fs.lstatSync(join(repo.dir, p)));
        }
      }
    }
  };
  await visit('');
  return { files, untracked, truncated: untracked.length >= MAX_UNTRACKED };
}

/** The blob id the working file would get if staged now (outputs stripped when the repository says so). */
export function workdirOid(repo: Repo, path: string, stat: fs.Stats, strip: boolean): string {
  const key = `${repo.dir}\0${path}`;
  const c = statCache.get(key);
  if (c && c.strip === strip && c.mtimeMs === stat.mtimeMs && c.ctimeMs === stat.ctimeMs && c.size === stat.size && c.ino === stat.ino) return c.oid;
  const abs = join(repo.dir, path);
  let content: Uint8Array = stat.isSymbolicLink() ? Buffer.from(fs.readlinkSync(abs)) : fs.readFileSync(abs);
  if (strip && path.endsWith('.ipynb')) content = stripNotebookBytes(content);
  const oid = hashBlob(content);
  // cache only files older than a second: a file written within the clock's granularity may change unseen
  if (Date.now() - stat.mtimeMs > 1000) {
    if (statCache.size > 100_000) statCache.clear();
    statCache.set(key, { mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, size: stat.size, ino: stat.ino, strip, oid });
  }
  return oid;
}

function statMatches(e: IndexEntry, s: fs.Stats, indexMtimeMs: number): boolean {
  return (
    e.size === s.size % 2 ** 32 &&
    e.mtimeMs === Math.floor(s.mtimeMs) &&
    e.ctimeMs === Math.floor(s.ctimeMs) &&
    (e.ino === 0 || e.ino === s.ino % 2 ** 32) &&
    // racily clean: written in the same moment as the index, so the stat proves nothing
    e.mtimeMs < Math.floor(indexMtimeMs)
  );
}

/** Status of the working tree: HEAD vs index (staged) and index vs working copy (unstaged), plus untracked files. */
export async function repoStatus(repo: Repo): Promise<GitFileStatus[]> {
  return (await repoStatusFull(repo)).files;
}

export async function repoStatusFull(repo: Repo): Promise<{ files: GitFileStatus[]; truncated: boolean }> {
  const index = readIndexFile(repo);
  const [head, strip] = await Promise.all([headTree(repo), stripOutputsOf(repo)]);
  const { files, untracked, truncated } = await walkWorkdir(repo, index.entries);
  const out: GitFileStatus[] = [];
  const paths = new Set<string>([...head.keys(), ...index.entries.keys()]);
  for (const path of [...paths].sort()) {
    const h = head.get(path);
    const i = index.entries.get(path);
    const w = files.get(path);
    if (index.conflicted.has(path)) {
      out.push({ path: wsPath(repo, path), status: 'conflicted', staged: false, unstaged: true });
      continue;
    }
    const staged = h?.oid !== i?.oid;
    let unstaged = false;
    if (i && i.mode === 0o160000) {
      unstaged = false; // a submodule: its own repository, not looked into
    } else if (i) {
      if (!w) unstaged = true;
      else if (!statMatches(i, w, index.mtimeMs)) unstaged = workdirOid(repo, path, w, strip) !== i.oid;
    } else if (w) {
      unstaged = true; // deleted in the index, still in the working copy
    }
    if (!staged && !unstaged) continue;
    let status: GitFileStatus['status'];
    if (staged) status = !h ? 'added' : !i ? 'deleted' : 'modified';
    else status = w ? 'modified' : 'deleted';
    out.push({ path: wsPath(repo, path), status, staged, unstaged });
  }
  for (const path of untracked.sort()) {
    if (!head.has(path)) out.push({ path: wsPath(repo, path), status: 'untracked', staged: false, unstaged: true });
  }
  return { files: out, truncated };
}
