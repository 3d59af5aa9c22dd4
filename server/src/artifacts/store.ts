import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../core/errors';

const HASH_RE = /^[0-9a-f]{64}$/;

/** An object whose bytes no longer match its hash (disk corruption or tampering). */
export class CorruptArtifact extends AppError {
  constructor(readonly hash: string, readonly actual: string) {
    super(500, 'artifact_corrupt', `artifact ${hash} is corrupt (its content hashes to ${actual})`);
    this.name = 'CorruptArtifact';
  }
}

/** sha256 hex of some bytes. */
export function hashContent(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Passes bytes through and checks their sha256 at the end: the stream errors when it differs. */
class VerifyingStream extends Transform {
  private readonly hasher = createHash('sha256');

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hasher.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.hasher.digest('hex');
    done(actual === this.expected ? null : new CorruptArtifact(this.expected, actual));
  }
}

/**
 * Content-addressed blobs: `<dataDir>/artifacts/sha256/<first 2 hex>/<other 62 hex>`.
 * A put writes a temp file in the object's folder and renames it into place, so a crash or an
 * error mid-write never leaves a half-written object under its hash; equal content is stored once
 * (a put of content already stored renames over it, which also repairs a corrupt copy).
 * Reads re-hash what they return and fail on a mismatch.
 * A folder is stored as one artifact: a tar of it (see executor/collect.ts).
 */
export class ArtifactStore {
  readonly root: string;

  constructor(opts: { dataDir: string }) {
    this.root = join(opts.dataDir, 'artifacts', 'sha256');
  }

  /** Where an object lives (whether or not it exists). */
  path(hash: string): string {
    if (!HASH_RE.test(hash)) {
      throw new AppError(400, 'invalid_hash', `not a sha256 hex digest: ${JSON.stringify(hash)}`);
    }
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  async has(hash: string): Promise<boolean> {
    return HASH_RE.test(hash) && existsSync(this.path(hash));
  }

  async size(hash: string): Promise<number> {
    return (await stat(this.path(hash))).size;
  }

  /** Stores bytes; resolves with their hash and size once they are durable under that hash. */
  async put(data: Buffer | NodeJS.ReadableStream | string): Promise<{ hash: string; size: number }> {
    const tmpDir = join(this.root, 'tmp');
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const hasher = createHash('sha256');
    let size = 0;
    const source = typeof data === 'string' || Buffer.isBuffer(data) ? Readable.from([Buffer.from(data)]) : data;
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hasher.update(chunk);
            size += chunk.length;
            done(null, chunk);
          }
        }),
        createWriteStream(tmp, { flags: 'wx', flush: true })
      );
      const hash = hasher.digest('hex');
      const target = this.path(hash);
      // Renaming over an existing object is atomic and replaces a corrupt copy with good bytes.
      mkdirSync(dirname(target), { recursive: true });
      await rename(tmp, target);
      return { hash, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** A stream of the object's bytes; it errors with CorruptArtifact at the end when they do not match. */
  get(hash: string): NodeJS.ReadableStream {
    const file = this.path(hash);
    if (!existsSync(file)) {
      throw new AppError(404, 'artifact_not_found', `artifact ${hash} does not exist`);
    }
    const out = new VerifyingStream(hash);
    pipeline(createReadStream(file), out).catch(err => out.destroy(err));
    return out;
  }

  /** The whole object in memory, verified. */
  async read(hash: string): Promise<Buffer> {
    const file = this.path(hash);
    if (!existsSync(file)) {
      throw new AppError(404, 'artifact_not_found', `artifact ${hash} does not exist`);
    }
    const data = await readFile(file);
    const actual = hashContent(data);
    if (actual !== hash) {
      throw new CorruptArtifact(hash, actual);
    }
    return data;
  }

  /** Re-hashes the object: true when intact, false when corrupt or missing. */
  async verify(hash: string): Promise<boolean> {
    if (!(await this.has(hash))) {
      return false;
    }
    const hasher = createHash('sha256');
    await pipeline(createReadStream(this.path(hash)), hasher);
    return hasher.digest('hex') === hash;
  }
}
