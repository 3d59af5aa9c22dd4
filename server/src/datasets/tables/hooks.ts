import type { Logger } from '../../core/logger';
import type { ObjectStore } from '../objects';
import type { TableHooks } from '../tableHooks';
import type { DatasetVersionsTable } from '../tables';
import { TableEngine } from './engine';
import { StoreTableObjects } from './storeObjects';

/** What a table version keeps in `dataset_versions.table_meta` (its `md5` is the manifest object). */
export function tableMeta(r: Awaited<ReturnType<TableEngine['ingest']>>): Record<string, unknown> {
  return {
    schema: r.schema,
    rowCount: r.rowCount,
    key: r.key,
    stats: r.stats,
    storage: r.storage,
    storedBytes: r.storedBytes,
    totalBytes: r.totalBytes
  };
}

/**
 * The datasets routes' TableHooks over a TableEngine on the datasets object store. A table
 * version's md5 is its manifest object; `files` counts the objects it reads, `bytes` their size.
 */
export function createTableHooks(store: ObjectStore, logger?: Logger): TableHooks & { engine: TableEngine; close(): Promise<void> } {
  const engine = new TableEngine(new StoreTableObjects(store), { logger });
  const keyOf = (key?: string[]) => (key && key.length ? key : null);
  return {
    engine,
    async ingest({ file, previous, key }) {
      const r = await engine.ingest(file, { previous: previous?.kind === 'table' ? previous.md5 : null, key: keyOf(key) });
      return { md5: r.manifest, meta: tableMeta(r), files: r.storage.baseChunks + r.storage.deltas + 1, bytes: r.totalBytes };
    },
    async preview(version: DatasetVersionsTable, opts: { limit: number; offset?: number }) {
      return { ...(await engine.preview(version.md5, opts)) };
    },
    export: (version: DatasetVersionsTable, format: 'csv' | 'parquet', dest: string) => engine.export(version.md5, format, dest),
    async diff(from: DatasetVersionsTable, to: DatasetVersionsTable, opts: { key?: string[]; sample?: number }) {
      return { ...(await engine.diff(from.md5, to.md5, { key: opts.key?.length ? opts.key : undefined, sample: opts.sample })) };
    },
    close: () => engine.close()
  };
}
