import { promises as fs } from 'node:fs';
import { AppError } from '../core/errors';
import { dirBytes, dirId, type DirEntry } from './dirObject';
import type { HashCache } from './hashCache';
import { statKey } from './hashCache';
import { storeError, type ObjectStore } from './objects';
import { scanTree, type ScannedFile } from './scan';

export interface IngestProgress {
  phase: 'scan' | 'hash' | 'store';
  files: number;
  bytes: number;
  totalFiles: number;
  totalBytes: number;
}

export interface IngestResult {
  /** The root object: `<md5>.dir` for a folder, `<md5>` for a file. */
  md5: string;
  files: number;
  bytes: number;
  /** Files whose content was read (cache misses). */
  read: number;
}

/** Below this many new objects each copy is fsynced; above, the file system is synced once. */
const FSYNC_EACH_UP_TO = 256;
/** During a large add, start the file system's writeback every this many bytes copied. */
const KICK_EVERY_BYTES = 256 * 1024 * 1024;
/** Files under this size are sent to the workers in batches of BATCH_FILES. */
const BATCH_BELOW_BYTES = 1024 * 1024;
const BATCH_FILES = 32;
const MAX_FILES = 5_000_000;

/**
 * Stores a workspace file or folder in the object store and answers its root object id.
 * Unchanged files (same dev, inode, mtime, size as in the hash cache, object present) are not
 * read; the others are copied into the store by the worker pool while being hashed (one read).
 * Objects become visible only complete and durable; on any failure the temp copies are removed.
 */
export async function ingestPath(opts: {
  abs: string;
  workspace: string;
  store: ObjectStore;
  cache: HashCache;
  onProgress?: (p: IngestProgress) => void;
}): Promise<IngestResult> {
  const { store, cache } = opts;
  const st = await fs.stat(opts.abs).catch(err => {
    throw storeError(err, 'The path');
  });
  const isDir = st.isDirectory();
  if (!isDir && !st.isFile()) throw new AppError(400, 'invalid_path', 'The path is neither a file nor a folder');
  let files: ScannedFile[];
  if (isDir) {
    files = await scanTree(opts.abs, opts.workspace, MAX_FILES);
  } else {
    const b = await fs.stat(opts.abs, { bigint: true });
    files = [
      {
        relpath: '',
        abs: opts.abs,
        size: Number(b.size),
        dev: b.dev,
        ino: b.ino,
        mtimeNs: b.mtimeNs
      }
    ];
  }
  const totalFiles = files.length;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const progress = {
    phase: 'hash' as IngestProgress['phase'],
    files: 0,
    bytes: 0,
    totalFiles,
    totalBytes
  };
  let last = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!opts.onProgress || (!force && now - last < 200)) return;
    last = now;
    opts.onProgress({ ...progress });
  };
  report(true);

  const md5s = new Array<string>(files.length);
  const misses: number[] = [];
  const hits = await cache.getMany(files.map(f => statKey({ dev: f.dev, ino: f.ino, mtimeNs: f.mtimeNs, size: BigInt(f.size) })));
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % 5000 === 0) await new Promise(resolve => setImmediate(resolve));
    const hit = hits[i];
    if (hit && store.hasSync(hit)) {
      md5s[i] = hit;
      progress.files++;
      progress.bytes += files[i].size;
    } else {
      misses.push(i);
    }
  }
  report();

  // Large files first, so the last worker is not left with the biggest one.
  misses.sort((a, b) => files[b].size - files[a].size);
  const fsyncEach = misses.length <= FSYNC_EACH_UP_TO;
  const temps: { temp: string; index: number }[] = [];
  let copied = 0;
  let kicked = 0;
  let kicking: Promise<unknown> | undefined;
  // Small files go to the workers in batches (one message for many files), large ones alone.
  const groups: number[][] = [];
  let batch: number[] = [];
  for (const i of misses) {
    if (files[i].size >= BATCH_BELOW_BYTES) groups.push([i]);
    else {
      batch.push(i);
      if (batch.length === BATCH_FILES) {
        groups.push(batch);
        batch = [];
      }
    }
  }
  if (batch.length) groups.push(batch);
  const done = (i: number, r: { md5: string; bytes: number }) => {
    const f = files[i];
    copied += r.bytes;
    if (!fsyncEach && copied - kicked >= KICK_EVERY_BYTES && !kicking) {
      // Early writeback: the final sync then has little left to write.
      kicked = copied;
      kicking = store
        .syncAll()
        .catch(() => undefined)
        .finally(() => (kicking = undefined));
    }
    md5s[i] = r.md5;
    progress.files++;
    progress.bytes += f.size;
    // A file that changed while it was read is stored as read, but not cached.
    if (r.bytes === f.size) cache.setSync(statKey({ dev: f.dev, ino: f.ino, mtimeNs: f.mtimeNs, size: BigInt(f.size) }), r.md5);
  };
  try {
    const settled = await Promise.allSettled(
      groups.map(async group => {
        const tasks = group.map(i => {
          const temp = store.tempPath();
          temps.push({ temp, index: i });
          return { op: 'copy' as const, src: files[i].abs, dest: temp, fsync: fsyncEach };
        });
        const results = await store.pool.runBatch(tasks);
        results.forEach((r, k) => {
          if (r instanceof Error) throw storeError(r, files[group[k]].relpath || 'The file');
          done(group[k], r);
        });
        report();
      })
    );
    const failed = settled.find(s => s.status === 'rejected');
    if (failed) throw failed.reason;
    progress.phase = 'store';
    report(true);
    if (temps.length > 0 && !fsyncEach) await store.syncAll();
    for (let k = 0; k < temps.length; k++) {
      if (k > 0 && k % 2000 === 0) await new Promise(resolve => setImmediate(resolve));
      store.commitTempSync(temps[k].temp, md5s[temps[k].index]);
    }
    if (fsyncEach) await store.syncDirs(temps.map(t => md5s[t.index]));
    else if (temps.length > 0) await store.syncAll();
  } catch (err) {
    await kicking;
    await Promise.all(temps.map(t => fs.rm(t.temp, { force: true })));
    throw storeError(err, 'The dataset');
  }
  await cache.save();

  if (!isDir) return { md5: md5s[0], files: 1, bytes: totalBytes, read: misses.length };
  const entries: DirEntry[] = files.map((f, i) => ({
    md5: md5s[i],
    relpath: f.relpath
  }));
  const bytes = dirBytes(entries);
  const id = dirId(bytes);
  await store.putBuffer(id, bytes);
  return { md5: id, files: totalFiles, bytes: totalBytes, read: misses.length };
}
