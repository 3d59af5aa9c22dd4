import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors';
import { parseDir } from '../../src/datasets/dirObject';
import { HashCache } from '../../src/datasets/hashCache';
import { HashPool } from '../../src/datasets/hashPool';
import { ingestPath } from '../../src/datasets/ingest';
import { ObjectStore } from '../../src/datasets/objects';
import { tempDir } from '../helpers/env';
import { md5, writeTree } from './helpers';

describe('ingestPath: the hash cache and the worker pool', () => {
  const ws = tempDir('ingest-ws');
  const data = tempDir('ingest-data');
  const pool = new HashPool(2);
  const store = new ObjectStore(join(data.path, 'store'), pool);
  const cachePath = join(data.path, 'hashcache.txt');
  const add = (cache = new HashCache(cachePath)) => ingestPath({ abs: join(ws.path, 'tree'), workspace: ws.path, store, cache });
  beforeAll(() => store.init());
  afterAll(async () => {
    await pool.close();
    ws.cleanup();
    data.cleanup();
  });

  test('reads only files whose (inode, mtime, size) changed, and files whose object went missing', async () => {
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`d${i % 3}/f${i}.txt`, `content ${i}\n`]));
    writeTree(join(ws.path, 'tree'), files);
    const cold = await add();
    expect([cold.read, cold.files]).toEqual([60, 60]);
    const entries = parseDir(readFileSync(store.path(cold.md5)), cold.md5);
    expect(entries.find(e => e.relpath === 'd1/f1.txt')?.md5).toBe(md5('content 1\n'));

    // A new process: the cache comes back from its file.
    const warm = await add(new HashCache(cachePath));
    expect([warm.read, warm.md5]).toEqual([0, cold.md5]);

    const later = new Date(Date.now() + 5000);
    utimesSync(join(ws.path, 'tree', 'd0/f0.txt'), later, later);
    writeFileSync(join(ws.path, 'tree', 'd1/f1.txt'), 'edited\n');
    rmSync(store.path(md5('content 2\n')));
    const third = await add();
    expect(third.read).toBe(3);
    expect(third.md5).not.toBe(cold.md5);
    expect(readFileSync(store.path(md5('content 2\n')), 'utf8')).toBe('content 2\n');
    expect(readFileSync(store.path(md5('edited\n')), 'utf8')).toBe('edited\n');
  });

  test('a missing file or a path that is not a file or folder is a clear error', async () => {
    await expect(ingestPath({ abs: join(ws.path, 'nope'), workspace: ws.path, store, cache: new HashCache(cachePath) })).rejects.toMatchObject({
      status: 404,
      code: 'file_not_found'
    } satisfies Partial<AppError>);
  });
});
