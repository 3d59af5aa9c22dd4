import { basename } from 'node:path';
import type { DatasetAdd, DatasetSummary, DatasetVersion } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { refuseInsideWorkspace, resolveInWorkspace } from '../core/workspace';
import { shareAccess } from '../shares/access';
import type { User } from '../store/users';
import type { DatasetAccess, VersionAction } from './access';
import type { HashCache } from './hashCache';
import { ingestPath, type IngestProgress } from './ingest';
import type { ObjectStore } from './objects';
import { DatasetQueries, newVersionId, type DatasetRow, type VersionRow } from './queries';
import type { TableHooks } from './tableHooks';
import { ManifestReader } from './manifests';

export interface DatasetsServiceDeps {
  queries: DatasetQueries;
  objects: ObjectStore;
  cache: HashCache;
  workspaceDir: string;
  logger: Logger;
  access: DatasetAccess;
  tables?: TableHooks;
  clock?: () => Date;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VERSION_ID = /^[0-9a-f]{12}$/;

export function versionJson(ds: DatasetRow, v: VersionRow, tags: string[]): DatasetVersion {
  return {
    id: v.id,
    dataset: `${ds.owner}/${ds.name}`,
    owner: ds.owner,
    name: ds.name,
    kind: v.kind as DatasetVersion['kind'],
    md5: v.md5,
    message: v.message,
    author: v.author,
    parents: JSON.parse(v.parents) as string[],
    tags,
    createdAt: v.created_at,
    files: Number(v.files),
    bytes: Number(v.bytes),
    blinded: Number(v.blinded) === 1,
    sourcePath: v.source_path,
    table: v.table_meta ? (JSON.parse(v.table_meta) as Record<string, unknown>) : null
  };
}

/**
 * Datasets and their immutable versions: adding (from the workspace or from objects DVC pushed),
 * resolving `owner/name` + id or tag with visibility, tags and shares. Reading bytes is in
 * manifests.ts; every read goes through `checkRead` (visibility, then the DatasetAccess hook).
 */
export class DatasetsService {
  readonly q: DatasetQueries;
  readonly manifests: ManifestReader;
  private locks = new Map<string, Promise<unknown>>();

  constructor(readonly deps: DatasetsServiceDeps) {
    this.q = deps.queries;
    this.manifests = new ManifestReader(deps.objects);
  }

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  /** Runs `fn` after every earlier call with the same key (adds to one dataset land one by one). */
  private async serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) this.locks.delete(key);
    }
  }

  /** The dataset `owner/name` if the user may see it; 404 otherwise (no hint it exists). */
  async dataset(user: string, owner: string, name: string): Promise<DatasetRow> {
    const ds = await this.q.find(owner, name);
    if (!ds || !(await this.q.canRead(user, ds))) {
      throw new AppError(404, 'dataset_not_found', `No dataset ${owner}/${name}`, { dataset: `${owner}/${name}` });
    }
    return ds;
  }

  async version(ds: DatasetRow, ref: string): Promise<VersionRow> {
    let id: string | undefined = VERSION_ID.test(ref) ? ref : undefined;
    let v = id ? await this.q.version(ds.id, id) : undefined;
    if (!v && TAG.test(ref)) {
      id = await this.q.tag(ds.id, ref);
      v = id ? await this.q.version(ds.id, id) : undefined;
    }
    if (!v) throw new AppError(404, 'version_not_found', `Dataset ${ds.owner}/${ds.name} has no version or tag ${JSON.stringify(ref)}`, { ref });
    return v;
  }

  /**
   * The dataset and version if the user may see them. shares (issue #8): a redeemed, live share
   * link on this very version also makes it visible (read-only; the access hook still applies).
   */
  private async visibleVersion(user: string, owner: string, name: string, ref: string): Promise<{ ds: DatasetRow; v: VersionRow }> {
    const ds = await this.q.find(owner, name);
    if (ds && (await this.q.canRead(user, ds))) return { ds, v: await this.version(ds, ref) };
    const v = ds ? await this.version(ds, ref).catch(() => undefined) : undefined;
    if (ds && v && (await shareAccess(this.q.db, user, 'dataset', { version: v.id }))) return { ds, v };
    throw new AppError(404, 'dataset_not_found', `No dataset ${owner}/${name}`, { dataset: `${owner}/${name}` });
  }

  /** Visibility, then the access hook (blinding) for what the caller wants to do with the bytes. */
  async checkRead(user: User, owner: string, name: string, ref: string, action: VersionAction): Promise<{ ds: DatasetRow; v: VersionRow }> {
    const { ds, v } = await this.visibleVersion(user.name, owner, name, ref);
    await this.deps.access.checkVersion({
      user: user.name,
      admin: user.admin,
      action,
      dataset: ds,
      version: v
    });
    return { ds, v };
  }

  async tagsOf(ds: DatasetRow): Promise<Map<string, string[]>> {
    const byVersion = new Map<string, string[]>();
    for (const t of await this.q.tags([ds.id])) byVersion.set(t.version_id, [...(byVersion.get(t.version_id) ?? []), t.tag]);
    return byVersion;
  }

  async summaries(user: string, rows: DatasetRow[]): Promise<DatasetSummary[]> {
    const ids = rows.map(r => r.id);
    const [versions, tags] = await Promise.all([this.q.versions(ids), this.q.tags(ids)]);
    return Promise.all(
      rows.map(async ds => {
        const own = versions.filter(v => v.dataset_id === ds.id);
        const dsTags = tags.filter(t => t.dataset_id === ds.id);
        const latest = own[0];
        return {
          owner: ds.owner,
          name: ds.name,
          description: ds.description,
          createdAt: ds.created_at,
          updatedAt: ds.updated_at,
          versionCount: own.length,
          latest: latest
            ? versionJson(
                ds,
                latest,
                dsTags.filter(t => t.version_id === latest.id).map(t => t.tag)
              )
            : null,
          tags: Object.fromEntries(dsTags.map(t => [t.tag, t.version_id])),
          sharedWith: ds.owner === user ? await this.q.shares(ds.id) : []
        };
      })
    );
  }

  async versionsJson(ds: DatasetRow): Promise<DatasetVersion[]> {
    const tags = await this.tagsOf(ds);
    return (await this.q.versions([ds.id])).map(v => versionJson(ds, v, tags.get(v.id) ?? []));
  }

  /**
   * Adds a version of the caller's dataset `req.name` from a workspace path or from an object
   * already in the store. Hashing runs outside the lock; recording the version (parents = the
   * latest at that moment) is serialised per dataset, so concurrent adds both land, one after the
   * other. Re-adding the latest version's content records nothing new (`unchanged`).
   */
  async add(user: User, req: DatasetAdd, onProgress?: (p: IngestProgress) => void): Promise<{ version: DatasetVersion; unchanged: boolean }> {
    const owner = user.name;
    let root: {
      md5: string;
      files: number;
      bytes: number;
      kind: 'files' | 'table';
      meta: Record<string, unknown> | null;
    };
    let sourcePath: string | null = null;
    if (req.path !== undefined) {
      refuseInsideWorkspace('Adding a dataset version from a path');
      const abs = resolveInWorkspace(this.deps.workspaceDir, req.path);
      sourcePath = req.path;
      if (req.table) {
        const tables = this.deps.tables;
        if (!tables) throw new AppError(400, 'tables_unavailable', 'Table versions are not available on this server');
        const ds = await this.q.find(owner, req.name);
        const versions = ds ? await this.q.versions([ds.id]) : [];
        const previous = versions.find(v => v.kind === 'table') ?? null;
        const r = await tables.ingest({
          file: abs,
          previous,
          key: req.table.key
        });
        root = {
          md5: r.md5,
          files: r.files,
          bytes: r.bytes,
          kind: 'table',
          meta: r.meta
        };
      } else {
        const r = await ingestPath({
          abs,
          workspace: this.deps.workspaceDir,
          store: this.deps.objects,
          cache: this.deps.cache,
          onProgress
        });
        root = { ...r, kind: 'files', meta: null };
      }
    } else {
      const md5 = req.md5!;
      const counted = await this.manifests.checkTree(md5);
      await this.checkRegisterable(user.name, md5, counted.objects);
      root = {
        md5,
        files: counted.files,
        bytes: counted.bytes,
        kind: 'files',
        meta: null
      };
    }
    return this.serialised(`${owner}/${req.name}`, async () => {
      const now = this.now();
      const ds = (await this.q.find(owner, req.name)) ?? (await this.q.create(owner, req.name, req.description ?? '', now));
      const latest = await this.q.latest(ds.id);
      let row: VersionRow;
      let unchanged = false;
      if (latest && latest.md5 === root.md5 && latest.kind === root.kind && Number(latest.blinded) === (req.blinded ? 1 : 0)) {
        row = latest;
        unchanged = true;
      } else {
        for (const p of req.parents ?? []) {
          if (!(await this.q.version(ds.id, p)))
            throw new AppError(400, 'invalid_parent', `Parent ${p} is not a version of ${owner}/${req.name}`, { parent: p });
        }
        row = {
          id: newVersionId(),
          dataset_id: ds.id,
          seq: (latest?.seq ?? 0) + 1,
          kind: root.kind,
          md5: root.md5,
          message: req.message ?? '',
          author: user.name,
          parents: JSON.stringify(req.parents ?? (latest ? [latest.id] : [])),
          files: root.files,
          bytes: root.bytes,
          blinded: req.blinded ? 1 : 0,
          source_path: sourcePath,
          table_meta: root.meta ? JSON.stringify(root.meta) : null,
          created_at: now
        };
        await this.q.insertVersion(row, now);
        this.deps.logger.info(
          {
            dataset: `${owner}/${req.name}`,
            version: row.id,
            files: root.files,
            bytes: root.bytes
          },
          'dataset version added'
        );
      }
      for (const tag of req.tags ?? []) await this.q.setTag(ds.id, tag, row.id, user.name, now);
      const tags = (await this.tagsOf(ds)).get(row.id) ?? [];
      return { version: versionJson(ds, row, tags), unchanged };
    });
  }

  /**
   * Registering objects by md5 gives read access to them: refuse objects that belong to versions
   * the caller cannot read (or blinded ones) unless the caller uploaded them (possession).
   */
  private async checkRegisterable(user: string, root: string, objects: string[]): Promise<void> {
    const readable = await this.manifests.readableObjects(this, user);
    const all = await this.manifests.allObjects(this);
    const refused = objects.filter(o => all.has(o) && !readable.has(o) && !this.manifests.uploadedBy(user, o));
    if (refused.length) {
      throw new AppError(403, 'objects_not_readable', `The tree ${root} contains objects of datasets you cannot read; push them yourself first`, {
        objects: refused.slice(0, 10)
      });
    }
  }

  async setTag(user: string, owner: string, name: string, tag: string, ref: string): Promise<DatasetVersion> {
    if (!TAG.test(tag)) throw AppError.invalid(`${JSON.stringify(tag)} is not a valid tag`);
    const ds = await this.dataset(user, owner, name);
    if (ds.owner !== user) throw AppError.forbidden(`Only ${ds.owner} can tag ${owner}/${name}`);
    const v = await this.version(ds, ref);
    await this.q.setTag(ds.id, tag, v.id, user, this.now());
    return versionJson(ds, v, (await this.tagsOf(ds)).get(v.id) ?? []);
  }

  async deleteTag(user: string, owner: string, name: string, tag: string): Promise<void> {
    const ds = await this.dataset(user, owner, name);
    if (ds.owner !== user) throw AppError.forbidden(`Only ${ds.owner} can untag ${owner}/${name}`);
    if ((await this.q.deleteTag(ds.id, tag)) === 0) throw new AppError(404, 'tag_not_found', `No tag ${tag} on ${owner}/${name}`);
  }

  async setShares(user: string, owner: string, name: string, users: string[]): Promise<void> {
    const ds = await this.dataset(user, owner, name);
    if (ds.owner !== user) throw AppError.forbidden(`Only ${ds.owner} can share ${owner}/${name}`);
    await this.q.setShares(ds.id, [...new Set(users.filter(u => u !== user))]);
  }

  /** The relpath of a single-file version's one file. */
  static fileName(ds: DatasetRow, v: VersionRow): string {
    return v.source_path ? basename(v.source_path) : ds.name;
  }
}
