import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, promises as fs, renameSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { AppError } from '../core/errors';
import { OBJECT_ID } from './dirObject';
import { HashPool, PoolError } from './hashPool';

const run = promisify(execFile);

/** Objects up to this size are read into memory, verified and answered from memory. */
const SMALL = 8 * 1024 * 1024;

export function storeError(err: unknown, what: string): AppError {
  const code = err instanceof PoolError ? err.code : (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError(507, 'storage_full', `The dataset store is full: ${what} was not stored (nothing half-written is kept)`, { errno: code });
  }
  if (code === 'ENOENT') return new AppError(404, 'file_not_found', `${what}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new AppError(403, 'file_not_readable', `${what}: permission denied`);
  if (code === 'EISDIR') return new AppError(400, 'invalid_path', `${what}: is a directory`);
  if (err instanceof AppError) return err;
  return new AppError(500, 'store_failed', `${what}: ${(err as Error)?.message ?? 'failed'}`);
}

/**
 * The content-addressed store, laid out as a DVC 3 remote: `files/md5/<2 hex>/<30 hex>[.dir]`.
 * Objects appear only complete (temp file in `tmp/` on the same file system, synced, renamed);
 * every read checks the object's md5 and refuses a corrupt one by name (409 object_corrupt),
 * moving it to `corrupt/` so the next add or `dvc push` stores it again.
 */
export class ObjectStore {
  readonly tmpDir: string;

  constructor(
    readonly root: string,
    readonly pool: HashPool
  ) {
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(join(this.root, 'files', 'md5'), { recursive: true });
    // Temp files left by a crash are never visible objects: drop them.
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true });
  }

  path(id: string): string {
    if (!OBJECT_ID.test(id)) throw new AppError(400, 'invalid_object_id', `${JSON.stringify(id)} is not an object id (32 hex, optionally .dir)`);
    return join(this.root, 'files', 'md5', id.slice(0, 2), id.slice(2));
  }

  tempPath(): string {
    return join(this.tmpDir, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
  }

  async has(id: string): Promise<boolean> {
    try {
      return (await fs.stat(this.path(id))).isFile();
    } catch {
      return false;
    }
  }

  /** `has` without a promise: for checking thousands of cache hits in a loop. */
  hasSync(id: string): boolean {
    return statSync(this.path(id), { throwIfNoEntry: false })?.isFile() ?? false;
  }

  async size(id: string): Promise<number | null> {
    try {
      return (await fs.stat(this.path(id))).size;
    } catch {
      return null;
    }
  }

  /** Flushes the store's file system once (syncfs): cheaper than an fsync per file for batches. */
  async syncAll(): Promise<void> {
    await run('sync', ['-f', this.root]);
  }

  /**
   * Moves a complete temp file into place under `id` (or drops it when the object exists).
   * The caller made the temp durable first (fsync or syncAll).
   */
  async commitTemp(temp: string, id: string): Promise<boolean> {
    const dest = this.path(id);
    const existing = await fs.stat(dest).catch(() => null);
    // An existing object of another size is damaged (truncated by a disk fault): the new copy replaces it.
    if (existing?.isFile() && existing.size === (await fs.stat(temp)).size) {
      await fs.rm(temp, { force: true });
      return false;
    }
    await fs.mkdir(dirname(dest), { recursive: true });
    await fs.rename(temp, dest);
    return true;
  }

  /** `commitTemp` with synchronous calls (thousands of small objects after one sync). */
  commitTempSync(temp: string, id: string): boolean {
    const dest = this.path(id);
    const existing = statSync(dest, { throwIfNoEntry: false });
    if (existing?.isFile() && existing.size === statSync(temp).size) {
      rmSync(temp, { force: true });
      return false;
    }
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(temp, dest);
    return true;
  }

  /** Stores small bytes (a `.dir`) durably under their id. */
  async putBuffer(id: string, bytes: Buffer): Promise<void> {
    if (await this.has(id)) return;
    const temp = this.tempPath();
    try {
      const fh = await fs.open(temp, 'wx', 0o444);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.commitTemp(temp, id);
      await this.syncDir(dirname(this.path(id)));
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw storeError(err, `object ${id}`);
    }
  }

  /** Makes the renames of these objects durable: fsync of their (distinct) folders. */
  async syncDirs(ids: string[]): Promise<void> {
    const dirs = [...new Set(ids.map(id => dirname(this.path(id))))];
    await Promise.all(dirs.map(d => this.syncDir(d)));
  }

  private async syncDir(dir: string): Promise<void> {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  private async corrupt(id: string, actual: string): Promise<AppError> {
    const quarantine = join(this.root, 'corrupt');
    await fs.mkdir(quarantine, { recursive: true }).catch(() => undefined);
    await fs.rename(this.path(id), join(quarantine, `${id}.${Date.now()}`)).catch(() => undefined);
    return new AppError(409, 'object_corrupt', `Object ${id} in the dataset store is corrupt (its md5 is ${actual}); it was set aside, add or push it again`, {
      object: id
    });
  }

  private missing(id: string): AppError {
    return new AppError(404, 'object_missing', `Object ${id} is not in the dataset store`, { object: id });
  }

  /** The whole object, checked against its md5. */
  async readVerified(id: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.path(id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw this.missing(id);
      throw storeError(err, `object ${id}`);
    }
    const actual = createHash('md5').update(bytes).digest('hex');
    if (actual !== id.slice(0, 32)) throw await this.corrupt(id, actual);
    return bytes;
  }

  /** Checks an object's md5 (in a worker for large ones) without keeping its bytes. */
  async readVerifiedOrHash(id: string): Promise<void> {
    const opened = await this.openVerified(id);
    if (typeof opened.body === 'function') opened.body().destroy();
  }

  /**
   * Opens an object for sending after checking its md5: small objects come from memory (the
   * bytes checked are the bytes sent), large ones are hashed by a worker and then streamed.
   */
  async openVerified(id: string): Promise<{ size: number; body: Buffer | (() => ReadStream) }> {
    const size = await this.size(id);
    if (size === null) throw this.missing(id);
    if (size <= SMALL) {
      const body = await this.readVerified(id);
      return { size: body.length, body };
    }
    const { md5 } = await this.pool.run({ op: 'hash', src: this.path(id) }).catch(err => {
      throw storeError(err, `object ${id}`);
    });
    if (md5 !== id.slice(0, 32)) throw await this.corrupt(id, md5);
    return { size, body: () => createReadStream(this.path(id)) };
  }

  /**
   * Stores an uploaded body under `id` (DVC's HTTP push): streamed to a temp file while hashing;
   * a body whose md5 is not the id is refused (400 digest_mismatch) and nothing is kept.
   */
  async putStream(id: string, body: Readable, limit: number): Promise<{ created: boolean; bytes: number }> {
    const path = this.path(id);
    if (await this.has(id)) {
      body.resume();
      return { created: false, bytes: 0 };
    }
    const temp = this.tempPath();
    const hash = createHash('md5');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > limit) {
          cb(new AppError(413, 'too_large', `The object is larger than the ${limit} byte limit`));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      }
    });
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx', mode: 0o444 }));
      const actual = hash.digest('hex');
      if (actual !== id.slice(0, 32)) {
        throw new AppError(400, 'digest_mismatch', `The uploaded body's md5 is ${actual}, not ${id.slice(0, 32)}`, { object: id });
      }
      const fh = await fs.open(temp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const created = await this.commitTemp(temp, id);
      await this.syncDir(dirname(path));
      return { created, bytes };
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw storeError(err, `object ${id}`);
    }
  }
}
