import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { pack as tarPack, type Pack } from 'tar-stream';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { LABEL_KIND, LABEL_MANAGED } from '../../runtime/runtime';

const UID = 1000;
const GID = 1000;
const MD5 = /^[0-9a-f]{32}$/;

/** One file of a version: its md5 and its path inside the version. */
export interface ManifestEntry {
  md5: string;
  relpath: string;
}

/** The DVC 3 remote layout of the store (FACTS.md): files/md5/<2>/<30>, folders as `.dir` objects. */
export function objectPath(storeDir: string, id: string): string {
  const md5 = id.endsWith('.dir') ? id.slice(0, -4) : id;
  if (!MD5.test(md5)) throw new AppError(500, 'dataset_corrupt', `"${id}" is not an object id`);
  return join(storeDir, 'files', 'md5', md5.slice(0, 2), `${md5.slice(2)}${id.endsWith('.dir') ? '.dir' : ''}`);
}

function md5Of(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function checkRelpath(relpath: unknown): string {
  if (typeof relpath !== 'string' || relpath === '' || relpath.includes('\0') || relpath.includes('\\')) {
    throw new AppError(500, 'dataset_corrupt', `a manifest entry has an invalid path ${JSON.stringify(relpath)}`);
  }
  const norm = posix.normalize(relpath);
  if (norm.startsWith('../') || norm === '..' || norm.startsWith('/') || norm !== relpath) {
    throw new AppError(500, 'dataset_corrupt', `a manifest entry path leaves the dataset: ${JSON.stringify(relpath)}`);
  }
  return norm;
}

/** The files of a version: a `.dir` manifest (verified by its md5), or one file named `fileName`. */
export async function manifestOf(storeDir: string, root: string, fileName = 'data'): Promise<ManifestEntry[]> {
  if (!root.endsWith('.dir')) return [{ md5: root, relpath: fileName }];
  const path = objectPath(storeDir, root);
  if (!existsSync(path)) throw new AppError(500, 'dataset_corrupt', `the manifest ${root} is missing from the store`);
  const data = await readFile(path);
  if (md5Of(data) !== root.slice(0, -4)) throw new AppError(500, 'dataset_corrupt', `the manifest ${root} does not match its hash`);
  let entries: unknown;
  try {
    entries = JSON.parse(data.toString('utf8'));
  } catch {
    throw new AppError(500, 'dataset_corrupt', `the manifest ${root} is not JSON`);
  }
  if (!Array.isArray(entries)) throw new AppError(500, 'dataset_corrupt', `the manifest ${root} is not a list`);
  return entries.map(e => {
    const entry = e as { md5?: unknown; relpath?: unknown };
    if (typeof entry.md5 !== 'string' || !MD5.test(entry.md5)) throw new AppError(500, 'dataset_corrupt', `the manifest ${root} has an invalid md5`);
    return { md5: entry.md5, relpath: checkRelpath(entry.relpath) };
  });
}

/** A file to put in a volume: an object of the store (checked against `md5`) or one written for it. */
export interface VolumeFile {
  relpath: string;
  path: string;
  md5?: string;
}

/** Writes a version's files into `dir` (a scratch folder) and lists them. */
export type Materialize = (dir: string) => Promise<VolumeFile[]>;

export interface DatasetVolumesOptions {
  docker: Docker;
  /** The DVC-layout object store (<data dir>/datasets/store). */
  storeDir: string;
  /** Where completion markers live (<data dir>/datasets/volumes): a volume without one is refilled. */
  markerDir: string;
  logger: Logger;
}

/**
 * One Docker named volume per dataset version, filled once from the object store (every object
 * checked against its md5 on the way), then mounted read-only into every step that reads the
 * version. No host path is ever mounted. A fill interrupted by a crash leaves no marker: the
 * volume is removed and filled again the next time.
 */
export class DatasetVolumes {
  private readonly filling = new Map<string, Promise<string>>();

  constructor(private readonly o: DatasetVolumesOptions) {}

  static volumeName(version: string, md5: string): string {
    return `conveyor-ds-${version}-${md5.slice(0, 8)}`;
  }

  /**
   * The volume of `version`, filled and verified; `image` (already on the engine) hosts the copy.
   * `materialize` writes the files instead of the store's objects (a table version's rows).
   */
  ensure(d: { version: string; md5: string; fileName?: string }, image: string, materialize?: Materialize): Promise<string> {
    const name = DatasetVolumes.volumeName(d.version, d.md5);
    let pending = this.filling.get(name);
    if (!pending) {
      pending = this.fill(name, d, image, materialize).finally(() => this.filling.delete(name));
      this.filling.set(name, pending);
    }
    return pending;
  }

  private marker(name: string): string {
    return join(this.o.markerDir, `${name}.ok`);
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.o.docker.getVolume(name).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  async remove(name: string): Promise<void> {
    await this.o.docker
      .getVolume(name)
      .remove()
      .catch(err => {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      });
    await rm(this.marker(name), { force: true });
  }

  private async fill(name: string, d: { version: string; md5: string; fileName?: string }, image: string, materialize?: Materialize): Promise<string> {
    if (existsSync(this.marker(name)) && (await this.exists(name))) return name;
    // A partial fill (crash, corrupt object): start over.
    await this.remove(name);
    const scratch = join(this.o.markerDir, `${name}.files`);
    await rm(scratch, { recursive: true, force: true });
    let entries: VolumeFile[];
    if (materialize) {
      await mkdir(scratch, { recursive: true });
      entries = await materialize(scratch);
    } else {
      entries = (await manifestOf(this.o.storeDir, d.md5, d.fileName)).map(e => ({ ...e, path: objectPath(this.o.storeDir, e.md5) }));
    }
    await this.o.docker.createVolume({
      Name: name,
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_KIND]: 'dataset', 'io.conveyor.dataset-version': d.version }
    });
    const helper = await this.o.docker.createContainer({
      Image: image,
      Cmd: ['true'],
      User: `${UID}:${GID}`,
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_KIND]: 'dataset-fill' },
      HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], Mounts: [{ Type: 'volume', Source: name, Target: '/data' }] }
    });
    let corrupt: string | undefined;
    try {
      const pack = tarPack();
      const fillTar = async (): Promise<void> => {
        const dirs = new Set<string>();
        for (const e of entries) for (let dir = posix.dirname(e.relpath); dir !== '.'; dir = posix.dirname(dir)) dirs.add(dir);
        for (const dir of [...dirs].sort()) pack.entry({ name: dir, type: 'directory', mode: 0o555, uid: UID, gid: GID });
        for (const e of entries) {
          const problem = await addVerified(pack, e);
          if (problem) {
            corrupt = problem;
            break;
          }
        }
        pack.finalize();
      };
      fillTar().catch(err => {
        corrupt = (err as Error).message;
        pack.finalize();
      });
      await helper.putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/data' });
      if (corrupt) throw new AppError(500, 'dataset_corrupt', `Dataset version ${d.version} cannot be mounted: ${corrupt}`, { version: d.version });
      await mkdir(this.o.markerDir, { recursive: true });
      const tmp = `${this.marker(name)}.${process.pid}.tmp`;
      await writeFile(tmp, `${d.md5}\n`);
      await rename(tmp, this.marker(name));
      this.o.logger.info({ volume: name, files: entries.length }, 'dataset volume filled');
      return name;
    } catch (err) {
      // The helper holds the volume: it goes first.
      await helper.remove({ force: true }).catch(() => undefined);
      await this.remove(name).catch(() => undefined);
      throw err;
    } finally {
      await helper.remove({ force: true }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

/** Streams one file into the tar, hashing it on the way; answers what is wrong with it, if anything. */
async function addVerified(pack: Pack, e: VolumeFile): Promise<string | undefined> {
  let size: number;
  try {
    size = (await stat(e.path)).size;
  } catch {
    return `object ${e.md5 ?? e.path} (${e.relpath}) is missing from the store`;
  }
  const hash = createHash('md5');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    }
  });
  const entry = pack.entry({ name: e.relpath, size, mode: 0o444, uid: UID, gid: GID });
  await pipeline(createReadStream(e.path), hashing, entry);
  const got = hash.digest('hex');
  return e.md5 === undefined || got === e.md5 ? undefined : `object ${e.md5} (${e.relpath}) does not match its hash (read ${got})`;
}
