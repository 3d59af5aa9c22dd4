import fs from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/**
 * A read-only object reader for the read paths that must be fast (history, show, diff, status):
 * loose objects and packs (idx v2, OFS/REF deltas) read with positioned reads, inflated objects
 * kept in a bounded cache so delta chains resolve once. Writes stay with isomorphic-git.
 */

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';
export interface GitObject {
  type: ObjectType;
  content: Buffer;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

interface Pack {
  path: string;
  fd: number;
  size: number;
  /** Sorted binary oids (20 bytes each) and their offsets, as in the .idx. */
  oids: Buffer;
  offsets: number[];
  fanout: Uint32Array;
  /** Each object's end: the next offset in pack order (the end of the data for the last one). */
  ends: Map<number, number>;
  /** The whole pack when it is small enough to keep in memory (no read per object). */
  data?: Buffer;
}

const MAX_BUFFERED_PACK = 64 * 1024 * 1024;
const MAX_BUFFERED_TOTAL = 256 * 1024 * 1024;
let bufferedTotal = 0;

function loadPack(idxPath: string): Pack {
  const idx = fs.readFileSync(idxPath);
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) throw new Error(`unsupported pack index ${idxPath}`);
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = idx.readUInt32BE(8 + i * 4);
  const n = fanout[255];
  const oidsStart = 8 + 1024;
  const oids = idx.subarray(oidsStart, oidsStart + n * 20);
  const offStart = oidsStart + n * 20 + n * 4;
  const bigStart = offStart + n * 4;
  const offsets: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = idx.readUInt32BE(offStart + i * 4);
    offsets[i] = o & 0x80000000 ? Number(idx.readBigUInt64BE(bigStart + (o & 0x7fffffff) * 8)) : o;
  }
  const path = idxPath.replace(/\.idx$/, '.pack');
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  const sorted = [...offsets].sort((a, b) => a - b);
  const ends = new Map<number, number>();
  for (let i = 0; i < sorted.length; i++) ends.set(sorted[i], i + 1 < sorted.length ? sorted[i + 1] : size - 20);
  let data: Buffer | undefined;
  if (size <= MAX_BUFFERED_PACK && bufferedTotal + size <= MAX_BUFFERED_TOTAL) {
    data = fs.readFileSync(path);
    bufferedTotal += size;
  }
  return { path, fd, size, oids, offsets, fanout, ends, data };
}

function findInPack(p: Pack, oid: Buffer): number {
  let lo = oid[0] === 0 ? 0 : p.fanout[oid[0] - 1];
  let hi = p.fanout[oid[0]];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = p.oids.compare(oid, 0, 20, mid * 20, mid * 20 + 20);
    if (c === 0) return p.offsets[mid];
    if (c > 0) hi = mid;
    else lo = mid + 1;
  }
  return -1;
}

function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = delta[pos++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  varint(); // base size
  const out = Buffer.allocUnsafe(varint());
  let o = 0;
  while (pos < delta.length) {
    const op = delta[pos++];
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off |= delta[pos++] << (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) len |= delta[pos++] << (8 * i);
      if (len === 0) len = 0x10000;
      base.copy(out, o, off >>> 0, (off >>> 0) + len);
      o += len;
    } else if (op > 0) {
      delta.copy(out, o, pos, pos + op);
      o += op;
      pos += op;
    } else throw new Error('corrupt delta');
  }
  return out;
}

const MAX_CACHE_BYTES = 96 * 1024 * 1024;

export class ObjectReader {
  private packs: Pack[] = [];
  private packNames = new Set<string>();
  private cache = new Map<string, GitObject>();
  private cacheBytes = 0;

  constructor(private readonly gitdir: string) {
    this.scanPacks();
  }

  private scanPacks(): boolean {
    const dir = join(this.gitdir, 'objects', 'pack');
    let added = false;
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter(f => f.endsWith('.idx'));
    } catch {
      return false;
    }
    for (const name of names) {
      if (this.packNames.has(name)) continue;
      try {
        this.packs.push(loadPack(join(dir, name)));
        this.packNames.add(name);
        added = true;
      } catch {
        // a pack being written right now, or an old index version: isomorphic-git reads those
      }
    }
    return added;
  }

  private remember(key: string, obj: GitObject): GitObject {
    this.cache.set(key, obj);
    this.cacheBytes += obj.content.length;
    if (this.cacheBytes > MAX_CACHE_BYTES) {
      for (const [k, v] of this.cache) {
        this.cache.delete(k);
        this.cacheBytes -= v.content.length;
        if (this.cacheBytes < MAX_CACHE_BYTES / 2) break;
      }
    }
    return obj;
  }

  /** The object, or undefined when it is in no loose file and no pack. */
  read(oid: string): GitObject | undefined {
    const hit = this.cache.get(oid);
    if (hit) return hit;
    const bin = Buffer.from(oid, 'hex');
    for (let attempt = 0; attempt < 2; attempt++) {
      for (const p of this.packs) {
        const off = findInPack(p, bin);
        if (off >= 0) return this.remember(oid, this.readPacked(p, off));
      }
      if (attempt === 0) {
        const loose = this.readLoose(oid);
        if (loose) return this.remember(oid, loose);
      }
      if (!this.scanPacks()) break;
    }
    return undefined;
  }

  private readLoose(oid: string): GitObject | undefined {
    let raw: Buffer;
    try {
      raw = inflateSync(fs.readFileSync(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2))));
    } catch {
      return undefined;
    }
    const sp = raw.indexOf(0x20);
    const nul = raw.indexOf(0, sp);
    const type = raw.toString('latin1', 0, sp) as ObjectType;
    return { type, content: raw.subarray(nul + 1) };
  }

  private readPacked(p: Pack, offset: number): GitObject {
    const key = `${p.path}@${offset}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const end = p.ends.get(offset) ?? p.size - 20;
    let buf: Buffer;
    if (p.data) buf = p.data.subarray(offset, end);
    else {
      buf = Buffer.allocUnsafe(end - offset);
      fs.readSync(p.fd, buf, 0, buf.length, offset);
    }
    let pos = 0;
    let b = buf[pos++];
    const typeNum = (b >> 4) & 7;
    let size = b & 15;
    let shift = 4;
    while (b & 0x80) {
      b = buf[pos++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
    }
    // one output chunk of the known size: zlib's default 16 KB chunks are most of the garbage otherwise
    const inflate = (data: Buffer): Buffer => inflateSync(data, { chunkSize: Math.max(64, size + 1) });
    let obj: GitObject;
    if (typeNum === 6) {
      b = buf[pos++];
      let rel = b & 0x7f;
      while (b & 0x80) {
        b = buf[pos++];
        rel = (rel + 1) * 128 + (b & 0x7f);
      }
      const base = this.readPacked(p, offset - rel);
      obj = { type: base.type, content: applyDelta(base.content, inflate(buf.subarray(pos))) };
    } else if (typeNum === 7) {
      const baseOid = buf.toString('hex', pos, pos + 20);
      const base = this.read(baseOid);
      if (!base) throw new Error(`missing delta base ${baseOid}`);
      obj = { type: base.type, content: applyDelta(base.content, inflate(buf.subarray(pos + 20))) };
    } else {
      const type = TYPES[typeNum];
      if (!type) throw new Error(`unknown object type ${typeNum}`);
      obj = { type, content: inflate(buf.subarray(pos)) };
    }
    return this.remember(key, obj);
  }

  close(): void {
    for (const p of this.packs) {
      fs.closeSync(p.fd);
      if (p.data) bufferedTotal -= p.size;
    }
    this.packs = [];
    this.packNames.clear();
    this.cache.clear();
    this.cacheBytes = 0;
  }
}

export interface ParsedCommit {
  tree: string;
  parents: string[];
  author: { name: string; email: string; timestamp: number; timezoneOffset: number };
  committer: { name: string; email: string; timestamp: number; timezoneOffset: number };
  message: string;
}

function person(line: string): ParsedCommit['author'] {
  const m = /^(.*) <(.*)> (\d+) ([+-])(\d\d)(\d\d)$/.exec(line);
  if (!m) return { name: line, email: '', timestamp: 0, timezoneOffset: 0 };
  const minutes = Number(m[5]) * 60 + Number(m[6]);
  return { name: m[1], email: m[2], timestamp: Number(m[3]), timezoneOffset: m[4] === '-' ? minutes : -minutes };
}

export function parseCommit(content: Buffer): ParsedCommit {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const c: ParsedCommit = { tree: '', parents: [], author: person(''), committer: person(''), message: split < 0 ? '' : text.slice(split + 2) };
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of gpgsig or mergetag
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') c.tree = value;
    else if (key === 'parent') c.parents.push(value);
    else if (key === 'author') c.author = person(value);
    else if (key === 'committer') c.committer = person(value);
  }
  return c;
}
