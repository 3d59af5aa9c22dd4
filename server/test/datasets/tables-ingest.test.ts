import { DuckDBInstance } from '@duckdb/node-api';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csv, people, rescore, workspace, type Workspace } from './tablesFixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

const ROWS = 20_000;

describe('table ingest', () => {
  test('a CSV version records its schema, row count and exact column statistics', async () => {
    const rows = people(ROWS);
    const result = await ws.engine.ingest(await ws.write('people.csv', csv(rows)));
    expect(result.schema).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'category', type: 'VARCHAR' },
      { name: 'day', type: 'DATE' }
    ]);
    expect(result.rowCount).toBe(ROWS);
    const scores = rows.map(r => r.score).filter((s): s is number => s !== null);
    const byName = Object.fromEntries(result.stats.map(s => [s.name, s]));
    expect(byName.id).toMatchObject({
      nulls: 0,
      min: 0,
      max: ROWS - 1,
      mean: (ROWS - 1) / 2
    });
    expect(byName.score).toMatchObject({
      nulls: ROWS - scores.length,
      min: 0.5,
      max: 999.5
    });
    expect(byName.score.mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 6);
    expect(byName.category).toMatchObject({
      nulls: 0,
      min: 'blue',
      max: 'red'
    });
    expect(byName.category.mean).toBeUndefined();
    expect(byName.day).toMatchObject({ min: '2024-01-10', max: '2024-09-19' });
    expect(byName.name.distinct).toBe(ROWS);
    expect(byName.score.distinct).toBe(1000);
    expect(byName.category.distinct).toBe(3);
    expect(result.storage).toMatchObject({
      mode: 'base',
      baseChunks: 1,
      deltas: 0
    });
    expect(result.storedBytes).toBe(result.totalBytes);

    const page = await ws.engine.preview(result.manifest, {
      limit: 3,
      offset: 7
    });
    expect(page.rows).toEqual([
      {
        id: 7,
        name: rows[7].name,
        score: 7.5,
        category: 'green',
        day: '2024-08-17'
      },
      {
        id: 8,
        name: rows[8].name,
        score: 8.5,
        category: 'blue',
        day: '2024-09-18'
      },
      {
        id: 9,
        name: rows[9].name,
        score: 9.5,
        category: 'red',
        day: '2024-01-19'
      }
    ]);
    expect(page.rowCount).toBe(ROWS);
    expect(await ws.exportCsv(result.manifest)).toBe(csv(rows));
  });

  test('a Parquet file is ingested like the CSV it was made from', async () => {
    const source = await ws.write('people.csv', csv(people(1000)));
    const parquet = join(ws.dir, 'people.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${source}')) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const fromCsv = await ws.engine.ingest(source);
    const fromParquet = await ws.engine.ingest(parquet);
    expect(fromParquet.schema).toEqual(fromCsv.schema);
    expect(fromParquet.stats).toEqual(fromCsv.stats);
    expect(await ws.exportCsv(fromParquet.manifest)).toBe(csv(people(1000)));
  });

  test('a v2 with 1% of rows changed at scattered places stores about the changed rows, by key and by row', async () => {
    const v1rows = people(ROWS);
    for (const [from, key] of [
      [17, ['id']],
      [23, null]
    ] as const) {
      const { rows: v2rows, changed } = rescore(v1rows, 100, from);
      expect(changed).toBe(ROWS / 100);
      const v1 = await ws.engine.ingest(await ws.write('v1.csv', csv(v1rows)), {
        key: key && [...key]
      });
      const v2 = await ws.engine.ingest(await ws.write('v2.csv', csv(v2rows)), {
        previous: v1.manifest,
        key: key && [...key]
      });
      expect(v2.storage).toMatchObject({
        mode: 'delta',
        changed,
        added: 0,
        removed: 0,
        deltas: 1
      });
      // The delta object is under 5% of the base (1% of the rows changed); with the new manifest, under 6%.
      const [base, delta] = [await ws.engine.manifest(v1.manifest), await ws.engine.manifest(v2.manifest)];
      expect(delta.base).toEqual(base.base);
      expect(delta.deltas[0].size).toBeLessThan(0.05 * base.base[0].size);
      expect(v2.storedBytes).toBeLessThan(0.06 * v1.totalBytes);
      expect(v2.storedBytes).toBeGreaterThan(delta.deltas[0].size);
      expect(await ws.exportCsv(v2.manifest)).toBe(csv(v2rows));
      expect((await ws.engine.preview(v2.manifest, { offset: from, limit: 1 })).rows[0].score).toBe(v2rows[from].score);
    }
  });

  test('a chain of versions with inserts, removals and changes reconstructs each version exactly', async () => {
    let rows = people(5000);
    let prev = await ws.engine.ingest(await ws.write('v1.csv', csv(rows)), {
      key: ['id']
    });
    const versions = [{ manifest: prev.manifest, text: csv(rows), ids: rows.map(r => r.id) }];
    for (let step = 1; step <= 4; step++) {
      const inserted = people(30, 100_000 * step);
      rows = rows.filter(r => r.id % 97 !== step); // scattered removals
      rows = [...inserted.slice(0, 10), ...rows.slice(0, 2000), ...inserted.slice(10, 20), ...rows.slice(2000), ...inserted.slice(20)];
      rows = rescore(rows, 211, step).rows;
      const next = await ws.engine.ingest(await ws.write(`v${step + 1}.csv`, csv(rows)), { previous: prev.manifest });
      expect(next.storage).toMatchObject({
        mode: 'delta',
        deltas: step,
        added: 30
      });
      expect(next.key).toEqual(['id']);
      versions.push({ manifest: next.manifest, text: csv(rows), ids: rows.map(r => r.id) });
      prev = next;
    }
    for (const v of versions) {
      expect(await ws.exportCsv(v.manifest)).toBe(v.text);
      // Pages read only the positions that can hold them; they match the file at every offset.
      for (const offset of [0, 9, 1234, 2005, 3333, v.ids.length - 7]) {
        const page = await ws.engine.preview(v.manifest, { offset, limit: 20 });
        expect(page.rows.map(r => r.id)).toEqual(v.ids.slice(offset, offset + 20));
      }
    }
  });

  test('an unchanged file stores no new rows and a reordered or retyped one gets a fresh base', async () => {
    const rows = people(2000);
    const v1 = await ws.engine.ingest(await ws.write('v1.csv', csv(rows)));
    const same = await ws.engine.ingest(await ws.write('same.csv', csv(rows)), {
      previous: v1.manifest
    });
    expect(same.manifest).toBe(v1.manifest);
    expect(same.storedBytes).toBe(0);
    const reordered = await ws.engine.ingest(await ws.write('rev.csv', csv([...rows].reverse())), { previous: v1.manifest });
    expect(reordered.storage).toMatchObject({
      mode: 'base',
      reason: 'reordered'
    });
    const text = csv(rows).replace('\n0,name-0,0.5,', '\n0,name-0,zero,');
    const retyped = await ws.engine.ingest(await ws.write('retyped.csv', text), { previous: v1.manifest });
    expect(retyped.storage).toMatchObject({
      mode: 'base',
      reason: 'schema_changed'
    });
    expect(retyped.schema.find(c => c.name === 'score')?.type).toBe('VARCHAR');
    // Changing more than half of the rows writes a new base rather than a delta.
    const most = await ws.engine.ingest(await ws.write('most.csv', csv(rescore(rows, 3, 0).rows.filter(r => r.id % 3 !== 1))), {
      previous: v1.manifest
    });
    expect(most.storage).toMatchObject({ mode: 'base', reason: 'compaction' });
  });

  test('a corrupt chunk is detected when a version is read, and set aside by the store', async () => {
    const v1 = await ws.engine.ingest(await ws.write('v1.csv', csv(people(3000))));
    const manifest = await ws.engine.manifest(v1.manifest);
    const chunk = ws.store.path(manifest.base[0].md5);
    const bytes = await readFile(chunk);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(chunk, bytes);
    await expect(ws.engine.preview(v1.manifest)).rejects.toMatchObject({ status: 409, code: 'object_corrupt' });
    const next = await ws.write('v2.csv', csv(people(3001)));
    await expect(ws.engine.ingest(next, { previous: v1.manifest })).rejects.toMatchObject({ status: 404, code: 'object_missing' });
    // Adding the same rows again stores the chunk again, and the version reads back.
    const again = await ws.engine.ingest(await ws.write('v1b.csv', csv(people(3000))));
    expect(again.manifest).toBe(v1.manifest);
    expect((await ws.engine.preview(v1.manifest, { limit: 1 })).rows).toHaveLength(1);
  });
});
