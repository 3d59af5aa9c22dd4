import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { AppError } from '../core/errors';
import { type GitObject, ObjectReader, type ParsedCommit, parseCommit } from './odb';
import type { Repo } from './repo';

const readers = new Map<string, ObjectReader>();

/** An object by id: the fast reader first, isomorphic-git for what it cannot read (alternates, old packs). */
export async function readObj(repo: Repo, oid: string): Promise<GitObject> {
  let r = readers.get(repo.gitdir);
  if (!r) {
    if (readers.size > 32) {
      for (const old of readers.values()) old.close();
      readers.clear();
    }
    r = new ObjectReader(repo.gitdir);
    readers.set(repo.gitdir, r);
  }
  const hit = r.read(oid);
  if (hit) return hit;
  const { type, object } = await git.readObject({ fs: repo.fs, dir: repo.dir, oid, format: 'content', cache: repo.cache });
  return { type: type as GitObject['type'], content: Buffer.from(object as Uint8Array) };
}

/** Closes the pack files the readers hold (on shutdown). */
export function closeReaders(): void {
  for (const r of readers.values()) r.close();
  readers.clear();
}

const commits = new Map<string, ParsedCommit>();

/** A parsed commit (memoised: commits never change). */
export async function readCommitFast(repo: Repo, oid: string): Promise<ParsedCommit> {
  const hit = commits.get(oid);
  if (hit) return hit;
  const obj = await readObj(repo, oid);
  if (obj.type !== 'commit') throw new AppError(400, 'not_a_commit', `${oid} is not a commit`);
  const c = parseCommit(obj.content);
  if (commits.size > 200_000) commits.clear();
  commits.set(oid, c);
  return c;
}

/** Entries of a raw tree object. */
export function parseTree(raw: Buffer): { mode: string; path: string; oid: string }[] {
  const out = [];
  let off = 0;
  while (off < raw.length) {
    const sp = raw.indexOf(0x20, off);
    const nul = raw.indexOf(0, sp);
    out.push({ mode: raw.toString('latin1', off, sp), path: raw.toString('utf8', sp + 1, nul), oid: raw.toString('hex', nul + 1, nul + 21) });
    off = nul + 21;
  }
  return out;
}

/** One entry of `.git/index` (the fields the status needs). */
export interface IndexEntry {
  path: string;
  oid: string;
  mode: number;
  stage: number;
  ctimeMs: number;
  mtimeMs: number;
  ino: number;
  size: number;
}

export interface IndexFile {
  entries: Map<string, IndexEntry>;
  /** Paths with a merge stage > 0. */
  conflicted: Set<string>;
  /** mtime of the index file itself (racy-git check). */
  mtimeMs: number;
}

/** Reads the git index (versions 2, 3 and 4) without going through isomorphic-git's object model. */
export function readIndexFile(repo: Repo): IndexFile {
  const file = join(repo.gitdir, 'index');
  let buf: Buffer;
  let mtimeMs = 0;
  try {
    buf = readFileSync(file);
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return { entries: new Map(), conflicted: new Set(), mtimeMs };
  }
  if (buf.toString('latin1', 0, 4) !== 'DIRC') throw new AppError(409, 'corrupt_index', 'The repository index (.git/index) is not readable');
  const version = buf.readUInt32BE(4);
  const count = buf.readUInt32BE(8);
  const entries = new Map<string, IndexEntry>();
  const conflicted = new Set<string>();
  let off = 12;
  let prev = '';
  for (let i = 0; i < count; i++) {
    const start = off;
    const ms = (s: number, ns: number): number => s * 1000 + Math.floor(ns / 1e6);
    const ctimeMs = ms(buf.readUInt32BE(off), buf.readUInt32BE(off + 4));
    const mtimeMs = ms(buf.readUInt32BE(off + 8), buf.readUInt32BE(off + 12));
    const ino = buf.readUInt32BE(off + 20);
    const mode = buf.readUInt32BE(off + 24);
    const size = buf.readUInt32BE(off + 36);
    const oid = buf.toString('hex', off + 40, off + 60);
    const flags = buf.readUInt16BE(off + 60);
    off += 62;
    if (version >= 3 && flags & 0x4000) off += 2;
    let path: string;
    if (version === 4) {
      let strip = 0;
      let b = buf[off++];
      strip = b & 0x7f;
      while (b & 0x80) {
        b = buf[off++];
        strip = ((strip + 1) << 7) | (b & 0x7f);
      }
      const end = buf.indexOf(0, off);
      path = prev.slice(0, prev.length - strip) + buf.toString('utf8', off, end);
      off = end + 1;
    } else {
      const end = buf.indexOf(0, off);
      path = buf.toString('utf8', off, end);
      off = start + Math.ceil((end - start + 1) / 8) * 8;
    }
    prev = path;
    const stage = (flags >> 12) & 3;
    if (stage > 0) conflicted.add(path);
    if (stage === 0 || !entries.has(path)) entries.set(path, { path, oid, mode, stage, ctimeMs, mtimeMs, ino, size });
  }
  return { entries, conflicted, mtimeMs };
}

/** The git blob id of some content. */
export function hashBlob(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export interface TreeEntry {
  oid: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
}

const flatCache = new Map<string, Map<string, TreeEntry>>();

/** Every blob of a tree, by repository-relative path (memoised by tree oid: trees never change). */
export async function flattenTree(repo: Repo, treeOid: string): Promise<Map<string, TreeEntry>> {
  const hit = flatCache.get(treeOid);
  if (hit) return hit;
  const out = new Map<string, TreeEntry>();
  const visit = async (oid: string, prefix: string): Promise<void> => {
    const obj = await readObj(repo, oid);
    if (obj.type !== 'tree') throw new AppError(400, 'not_a_tree', `${oid} is not a tree`);
    for (const e of parseTree(obj.content)) {
      const p = prefix ? `${prefix}/${e.path}` : e.path;
      const mode = e.mode.padStart(6, '0');
      if (mode === '040000') await visit(e.oid, p);
      else out.set(p, { oid: e.oid, mode, type: mode === '160000' ? 'commit' : 'blob' });
    }
  };
  await visit(treeOid, '');
  if (flatCache.size > 32) flatCache.clear();
  flatCache.set(treeOid, out);
  return out;
}

/** The tree oid of a commit. */
export async function treeOf(repo: Repo, commitOid: string): Promise<string> {
  return (await readCommitFast(repo, commitOid)).tree;
}

const childCache = new Map<string, string | null>();

/** The oid of the entry `name` of tree `treeOid`, found by scanning the raw tree (no full parse). */
async function childOid(repo: Repo, treeOid: string, name: string): Promise<string | null> {
  const key = `${treeOid}/${name}`;
  const hit = childCache.get(key);
  if (hit !== undefined) return hit;
  const obj = await readObj(repo, treeOid);
  if (obj.type !== 'tree') return null;
  const raw = obj.content;
  const needle = Buffer.from(` ${name}\0`, 'utf8');
  let found: string | null = null;
  let from = 0;
  for (;;) {
    const at = raw.indexOf(needle, from);
    if (at < 0) break;
    // the match must be a whole entry name (not bytes of an id or the tail of a longer name)
    let modeStart = at;
    while (modeStart > 0 && raw[modeStart - 1] >= 0x30 && raw[modeStart - 1] <= 0x37) modeStart--;
    if (modeStart < at && isEntryStart(raw, modeStart)) {
      const idStart = at + needle.length;
      found = raw.toString('hex', idStart, idStart + 20);
      break;
    }
    from = at + 1;
  }
  if (childCache.size > 200_000) childCache.clear();
  childCache.set(key, found);
  return found;
}

/** Walks the raw tree from the start to check `pos` is the beginning of an entry (rare slow path). */
function isEntryStart(raw: Buffer, pos: number): boolean {
  let off = 0;
  while (off < raw.length) {
    if (off === pos) return true;
    if (off > pos) return false;
    off = raw.indexOf(0, off) + 21;
  }
  return false;
}

/** The blob oid at `path` in tree `treeOid`, or null; descends one tree at a time. */
export async function oidAtPath(repo: Repo, treeOid: string, path: string): Promise<string | null> {
  let oid: string | null = treeOid;
  for (const part of path.split('/')) {
    if (!oid) return null;
    oid = await childOid(repo, oid, part);
  }
  return oid;
}
