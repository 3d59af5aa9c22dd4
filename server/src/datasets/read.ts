import { createReadStream, type ReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { DatasetDiff, DatasetFile, DatasetFiles } from '../../../schema/generated/api';
import type { User } from '../store/users';
import { AppError } from '../core/errors';
import { DatasetsService } from './service';
import type { DirEntry } from './dirObject';
import type { TableHooks } from './tableHooks';
import type { VersionRow } from './queries';

/** A table version's rows as the file it was added from (CSV or Parquet by its name), removed once sent. */
async function exportTable(tables: TableHooks, v: VersionRow, name: string, temp: string): Promise<{ size: number; body: () => ReadStream }> {
  const format = /\.(parquet|pq)$/i.test(name) ? 'parquet' : 'csv';
  await tables.export(v, format, temp);
  const { size } = await stat(temp);
  return {
    size,
    body: () => {
      const stream = createReadStream(temp);
      stream.on('close', () => void rm(temp, { force: true }));
      return stream;
    }
  };
}

/** Reading a version's bytes: manifest, one file, diff of two versions (all behind checkRead). */
export class DatasetReader {
  constructor(private readonly service: DatasetsService) {}

  private async sized(entries: DirEntry[]): Promise<DatasetFile[]> {
    const objects = this.service.deps.objects;
    return Promise.all(
      entries.map(async e => ({
        path: e.relpath,
        md5: e.md5,
        size: await objects.size(e.md5)
      }))
    );
  }

  async files(user: User, owner: string, name: string, ref: string, prefix: string, limit: number): Promise<DatasetFiles> {
    const { ds, v } = await this.service.checkRead(user, owner, name, ref, 'manifest');
    const all = await this.service.manifests.entries(v.md5, DatasetsService.fileName(ds, v));
    const matching = all.filter(e => e.relpath.startsWith(prefix));
    return {
      version: v.id,
      prefix,
      files: await this.sized(matching.slice(0, limit)),
      truncated: matching.length > limit
    };
  }

  /** One file's object, verified; the caller streams it. */
  async file(user: User, owner: string, name: string, ref: string, path: string) {
    const { ds, v } = await this.service.checkRead(user, owner, name, ref, 'download');
    const entries = await this.service.manifests.entries(v.md5, DatasetsService.fileName(ds, v));
    const entry = entries.find(e => e.relpath === path);
    if (!entry) throw new AppError(404, 'file_not_found', `Version ${v.id} has no file ${JSON.stringify(path)}`, { path });
    const tables = this.service.deps.tables;
    if (v.kind === 'table' && tables) return { entry, opened: await exportTable(tables, v, path, this.service.deps.objects.tempPath()) };
    return {
      entry,
      opened: await this.service.deps.objects.openVerified(entry.md5)
    };
  }

  async diff(user: User, owner: string, name: string, from: string, to: string): Promise<DatasetDiff> {
    const a = await this.service.checkRead(user, owner, name, from, 'diff');
    const b = await this.service.checkRead(user, owner, name, to, 'diff');
    const m = this.service.manifests;
    const [ea, eb] = await Promise.all([m.entries(a.v.md5, DatasetsService.fileName(a.ds, a.v)), m.entries(b.v.md5, DatasetsService.fileName(b.ds, b.v))]);
    const before = new Map(ea.map(e => [e.relpath, e.md5]));
    const after = new Map(eb.map(e => [e.relpath, e.md5]));
    const added = eb.filter(e => !before.has(e.relpath));
    const removed = ea.filter(e => !after.has(e.relpath));
    const changed = eb
      .filter(e => before.has(e.relpath) && before.get(e.relpath) !== e.md5)
      .map(e => ({
        path: e.relpath,
        from: before.get(e.relpath)!,
        to: e.md5
      }));
    const unchanged = eb.filter(e => before.get(e.relpath) === e.md5).length;
    // The tables engineer's row-level diff (datasets/tables/) when both versions are tables.
    const tables = this.service.deps.tables;
    const table = tables && a.v.kind === 'table' && b.v.kind === 'table' ? await tables.diff(a.v, b.v, {}) : null;
    return {
      from: a.v.id,
      to: b.v.id,
      files: {
        added: await this.sized(added),
        removed: await this.sized(removed),
        changed,
        unchanged
      },
      table
    };
  }
}
