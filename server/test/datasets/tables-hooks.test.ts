import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool } from '../../src/datasets/hashPool';
import { ObjectStore } from '../../src/datasets/objects';
import type { DatasetVersionsTable } from '../../src/datasets/tables';
import { createTableHooks } from '../../src/datasets/tables/index';
import { csv, people, rescore } from './tablesFixtures';

function versionRow(md5: string, meta: Record<string, unknown>): DatasetVersionsTable {
  return {
    id: md5.slice(0, 12),
    dataset_id: 'd1',
    seq: 1,
    kind: 'table',
    md5,
    message: '',
    author: 'alice',
    parents: '[]',
    files: 1,
    bytes: 1,
    blinded: 0,
    source_path: 'people.csv',
    table_meta: JSON.stringify(meta),
    created_at: new Date(0).toISOString()
  };
}

test('the TableHooks the datasets routes call store a version, a delta over the previous one, a preview and a diff', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conveyor-table-hooks-'));
  const pool = new HashPool(2);
  const store = new ObjectStore(join(dir, 'store'), pool);
  await store.init();
  const hooks = createTableHooks(store);
  try {
    const v1rows = people(3000);
    await writeFile(join(dir, 'v1.csv'), csv(v1rows));
    const first = await hooks.ingest({ file: join(dir, 'v1.csv'), previous: null, key: ['id'] });
    expect(first.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.has(first.md5)).toBe(true);
    expect(first.meta).toMatchObject({ rowCount: 3000, key: ['id'], storage: { mode: 'base' } });
    expect(first.files).toBe(2); // one base chunk and the manifest
    const v1 = versionRow(first.md5, first.meta);

    const { rows: v2rows, changed } = rescore(v1rows, 100);
    await writeFile(join(dir, 'v2.csv'), csv(v2rows));
    const second = await hooks.ingest({ file: join(dir, 'v2.csv'), previous: v1 });
    expect(second.meta).toMatchObject({ key: ['id'], storage: { mode: 'delta', changed } });
    expect(second.files).toBe(3);
    const v2 = versionRow(second.md5, second.meta);

    const preview = await hooks.preview(v2, { limit: 2 });
    expect(preview).toMatchObject({ rowCount: 3000, limit: 2, offset: 0, rows: [{ id: 0 }, { id: 1 }] });
    const diff = await hooks.diff(v1, v2, {});
    expect(diff).toMatchObject({ matchedBy: 'key', added: 0, removed: 0, changed });
    expect(await hooks.diff(v1, v2, { key: ['name'] })).toMatchObject({ matchedBy: 'key', key: ['name'], changed });
  } finally {
    await hooks.close();
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
