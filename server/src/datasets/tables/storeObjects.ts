import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { storeError, type ObjectStore } from '../objects';
import type { TableObjectStore } from './types';

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The table engine's view of the datasets object store: Parquet chunks, deltas and manifests are
 * objects like any other (`files/md5/<2>/<30>`), written whole (temp file in the store's tmp/,
 * fsync, rename) and md5-checked on every read (a corrupt one is a 409 `object_corrupt`).
 */
export class StoreTableObjects implements TableObjectStore {
  constructor(readonly store: ObjectStore) {}

  tmpDir(): string {
    return this.store.tmpDir;
  }

  async putFile(path: string): Promise<{ md5: string; size: number; created: boolean }> {
    try {
      const { md5 } = await this.store.pool.run({ op: 'hash', src: path });
      const { size } = await stat(path);
      await fsync(path);
      const created = await this.store.commitTemp(path, md5);
      if (created) await fsync(dirname(this.store.path(md5)));
      return { md5, size, created };
    } catch (err) {
      throw storeError(err, 'table object');
    }
  }

  async verifiedPath(md5: string): Promise<string> {
    await this.store.readVerifiedOrHash(md5);
    return this.store.path(md5);
  }
}
