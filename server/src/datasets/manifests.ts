import { AppError } from '../core/errors';
import { parseDir, type DirEntry } from './dirObject';
import type { ObjectStore } from './objects';
import type { DatasetsService } from './service';

const CACHE = 64;

/**
 * Reads version trees: `.dir` manifests (checked: hash, relpaths), counts, and which objects a
 * user may read through the DVC remote. Manifests are immutable, so they are cached by id.
 */
export class ManifestReader {
  private dirs = new Map<string, DirEntry[]>();
  private readable = new Map<string, { generation: string; set: Set<string> }>();
  private all?: { generation: string; set: Set<string> };
  private uploads = new Map<string, Set<string>>();

  constructor(private readonly objects: ObjectStore) {}

  /** The entries of a `.dir` object (verified and checked for unsafe relpaths). */
  async dir(id: string): Promise<DirEntry[]> {
    const hit = this.dirs.get(id);
    if (hit) return hit;
    const entries = parseDir(await this.objects.readVerified(id), id);
    this.dirs.set(id, entries);
    if (this.dirs.size > CACHE) this.dirs.delete(this.dirs.keys().next().value as string);
    return entries;
  }

  /** The files of a root: a `.dir`'s entries, or one entry named `fileName` for a single file. */
  async entries(md5: string, fileName: string): Promise<DirEntry[]> {
    return md5.endsWith('.dir') ? this.dir(md5) : [{ md5, relpath: fileName }];
  }

  /** Checks a tree pushed by DVC before it becomes a version: every object present. */
  async checkTree(md5: string): Promise<{ files: number; bytes: number; objects: string[] }> {
    if (!md5.endsWith('.dir')) {
      const size = await this.objects.size(md5);
      if (size === null) throw new AppError(404, 'object_missing', `Object ${md5} is not in the dataset store; push it first`, { object: md5 });
      await this.objects.readVerifiedOrHash(md5);
      return { files: 1, bytes: size, objects: [md5] };
    }
    if ((await this.objects.size(md5)) === null) {
      throw new AppError(404, 'object_missing', `Object ${md5} is not in the dataset store; push it first`, { object: md5 });
    }
    const entries = await this.dir(md5);
    const sizes = await Promise.all(entries.map(e => this.objects.size(e.md5)));
    const missing = entries.filter((_e, i) => sizes[i] === null).map(e => e.md5);
    if (missing.length) {
      throw new AppError(422, 'objects_missing', `${missing.length} file(s) of ${md5} are not in the dataset store; push them first`, {
        objects: missing.slice(0, 10)
      });
    }
    return {
      files: entries.length,
      bytes: sizes.reduce((a: number, b) => a + (b ?? 0), 0),
      objects: [md5, ...entries.map(e => e.md5)]
    };
  }

  private async objectsOf(roots: { md5: string }[]): Promise<Set<string>> {
    const set = new Set<string>();
    for (const r of roots) {
      set.add(r.md5);
      if (r.md5.endsWith('.dir')) {
        try {
          for (const e of await this.dir(r.md5)) set.add(e.md5);
        } catch {
          // a missing or corrupt manifest grants nothing beyond itself
        }
      }
    }
    return set;
  }

  /** Objects of versions the user may read (own or shared, not blinded). */
  async readableObjects(service: DatasetsService, user: string): Promise<Set<string>> {
    const generation = await service.q.accessFingerprint();
    const hit = this.readable.get(user);
    if (hit && hit.generation === generation) return hit.set;
    const set = await this.objectsOf(await service.q.readableRoots(user));
    this.readable.set(user, { generation, set });
    return set;
  }

  /** Objects of every version (whoever owns it). */
  async allObjects(service: DatasetsService): Promise<Set<string>> {
    const generation = await service.q.accessFingerprint();
    if (this.all && this.all.generation === generation) return this.all.set;
    const roots = await service.q.db.selectFrom('dataset_versions').select('md5').execute();
    const set = await this.objectsOf(roots);
    this.all = { generation, set };
    return set;
  }

  /** The user sent these bytes through the DVC remote (so they hold them). */
  recordUpload(user: string, id: string): void {
    let set = this.uploads.get(user);
    if (!set) this.uploads.set(user, (set = new Set()));
    set.add(id);
  }

  uploadedBy(user: string, id: string): boolean {
    return this.uploads.get(user)?.has(id) ?? false;
  }
}
