import { readdir } from 'node:fs/promises';
import { csv, people, rescore, workspace, type Person, type Workspace } from './tablesFixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

/** v1; v2 = v1 with every 50th row rescored, rows 100–104 removed and 3 rows inserted after row 300. */
function versions(): { v1: Person[]; v2: Person[]; changed: number } {
  const v1 = people(5000);
  const { rows, changed } = rescore(v1, 50);
  const kept = rows.filter(r => r.id < 100 || r.id > 104);
  const at = kept.findIndex(r => r.id === 300) + 1;
  const v2 = [...kept.slice(0, at), ...people(3, 90_000), ...kept.slice(at)];
  return { v1, v2, changed };
}

describe('table diff', () => {
  test('by key: counts of added, removed and changed rows and a sample with the changed columns', async () => {
    const { v1, v2, changed } = versions();
    const a = await ws.engine.ingest(await ws.write('v1.csv', csv(v1)), {
      key: ['id']
    });
    const b = await ws.engine.ingest(await ws.write('v2.csv', csv(v2)), {
      previous: a.manifest
    });
    const diff = await ws.engine.diff(a.manifest, b.manifest, { sample: 5 });
    // key: null asks for a match by row content even though both versions have a key.
    expect(await ws.engine.diff(a.manifest, b.manifest, { key: null })).toMatchObject({ matchedBy: 'row', added: 3, removed: 5, changed });
    expect(diff).toMatchObject({
      matchedBy: 'key',
      key: ['id'],
      added: 3,
      removed: 5,
      changed,
      reordered: false,
      rows: { from: 5000, to: 4998 }
    });
    expect(diff.schema).toEqual({ added: [], removed: [], retyped: [] });
    const first = diff.sample.find(s => s.kind === 'changed');
    expect(first).toEqual({
      kind: 'changed',
      position: 17,
      key: { id: 17 },
      columns: ['score'],
      before: { score: null },
      after: { score: 1000.25 }
    });
    expect(diff.sample.filter(s => s.kind === 'changed')).toHaveLength(5);
    // Positions are row indexes in each version: 100 rows, 5 removed, ids 105–300, then the inserts.
    const added = diff.sample.filter(s => s.kind === 'added');
    expect(added.map(s => s.kind === 'added' && [s.position, s.row.id])).toEqual([
      [296, 90_000],
      [297, 90_001],
      [298, 90_002]
    ]);
    expect(diff.sample.filter(s => s.kind === 'removed').map(s => s.kind === 'removed' && [s.position, s.row.id])).toEqual([
      [100, 100],
      [101, 101],
      [102, 102],
      [103, 103],
      [104, 104]
    ]);
  });

  test('by row hash: changed rows are paired in place, and the diff matches a keyed one on the same edit', async () => {
    const { v1, v2, changed } = versions();
    const a = await ws.engine.ingest(await ws.write('v1.csv', csv(v1)));
    const b = await ws.engine.ingest(await ws.write('v2.csv', csv(v2)), {
      previous: a.manifest
    });
    expect(b.storage).toMatchObject({
      mode: 'delta',
      changed,
      added: 3,
      removed: 5
    });
    const diff = await ws.engine.diff(a.manifest, b.manifest);
    expect(diff).toMatchObject({
      matchedBy: 'row',
      key: null,
      added: 3,
      removed: 5,
      changed
    });
    const sample = diff.sample.find(s => s.kind === 'changed');
    expect(sample).toMatchObject({
      position: 17,
      key: {},
      columns: ['score'],
      after: { score: 1000.25 }
    });
    // The same versions diffed by an explicit key (compared in full: the key was not checked at add) agree,
    // down to the row indexes of the sample.
    const byKey = await ws.engine.diff(a.manifest, b.manifest, { key: ['id'] });
    expect(byKey).toMatchObject({ matchedBy: 'key', added: 3, removed: 5, changed });
    const where = (d: typeof byKey, kind: string) => d.sample.filter(s => s.kind === kind).map(s => s.position);
    expect(where(byKey, 'added')).toEqual([296, 297, 298]);
    expect(where(byKey, 'removed')).toEqual([100, 101, 102, 103, 104]);
    expect(where(byKey, 'changed')).toEqual(where(diff, 'changed'));
    // And the reverse diff swaps added and removed.
    const reverse = await ws.engine.diff(b.manifest, a.manifest, { key: ['id'] });
    expect(reverse).toMatchObject({ added: 5, removed: 3, changed });
    expect(where(reverse, 'removed')).toEqual([296, 297, 298]);
  });

  test('repeated rows are told apart by their copy, and a key of two columns matches rows', async () => {
    const filler = Array.from({ length: 20 }, (_, i) => `Town${i},2000,${i}`);
    const lines = (rows: string[]) => `city,year,people\n${[...filler, ...rows].join('\n')}\n`;
    const v1 = ['Oslo,2020,1', 'Oslo,2020,1', 'Rome,2020,2', 'Oslo,2020,1', 'Rome,2021,3', 'Lima,2021,4'];
    // One copy of the repeated row gone, Rome 2021 changed, a row added at the end.
    const v2 = ['Oslo,2020,1', 'Rome,2020,2', 'Oslo,2020,1', 'Rome,2021,30', 'Lima,2021,4', 'Kyiv,2022,5'];
    const a = await ws.engine.ingest(await ws.write('v1.csv', lines(v1)));
    const b = await ws.engine.ingest(await ws.write('v2.csv', lines(v2)), { previous: a.manifest });
    expect(b.storage).toMatchObject({ mode: 'delta', added: 1, removed: 1, changed: 1 });
    expect(await ws.exportCsv(b.manifest)).toBe(lines(v2));
    expect(await ws.engine.diff(a.manifest, b.manifest)).toMatchObject({ matchedBy: 'row', added: 1, removed: 1, changed: 1 });
    const keyed = await ws.engine.diff(a.manifest, b.manifest, { key: ['city', 'year'] }).catch(err => err);
    expect(keyed).toMatchObject({ status: 400, code: 'key_not_unique' });
    const unique = (rows: string[]) => lines(rows.filter((r, i) => rows.indexOf(r) === i));
    const c = await ws.engine.ingest(await ws.write('v1u.csv', unique(v1)), { key: ['city', 'year'] });
    const d = await ws.engine.ingest(await ws.write('v2u.csv', unique(v2)), { previous: c.manifest });
    const diff = await ws.engine.diff(c.manifest, d.manifest);
    expect(diff).toMatchObject({ matchedBy: 'key', key: ['city', 'year'], added: 1, removed: 0, changed: 1 });
    expect(diff.sample.find(s => s.kind === 'changed')).toMatchObject({
      key: { city: 'Rome', year: 2021 },
      before: { people: 3 },
      after: { people: 30 }
    });
  });

  test('schema changes: added, removed and retyped columns, rows compared on the columns both have', async () => {
    const v1 = people(1000);
    const a = await ws.engine.ingest(await ws.write('v1.csv', csv(v1)), {
      key: ['id']
    });
    const lines = v1.map(r => `${r.id},${r.name},${r.id === 5 ? 'n/a' : (r.score ?? '')},${r.day},${r.id % 2 === 0}`);
    const b = await ws.engine.ingest(await ws.write('v2.csv', `id,name,score,day,even\n${lines.join('\n')}\n`), { previous: a.manifest });
    expect(b.storage).toMatchObject({ mode: 'base', reason: 'schema_changed' });
    const diff = await ws.engine.diff(a.manifest, b.manifest);
    expect(diff.schema).toEqual({
      added: [{ name: 'even', type: 'BOOLEAN' }],
      removed: [{ name: 'category', type: 'VARCHAR' }],
      retyped: [{ name: 'score', from: 'DOUBLE', to: 'VARCHAR' }]
    });
    expect(diff).toMatchObject({
      matchedBy: 'key',
      added: 0,
      removed: 0,
      changed: 1
    });
    expect(diff.sample).toEqual([
      {
        kind: 'changed',
        position: 5,
        key: { id: 5 },
        columns: ['score'],
        before: { score: 5.5 },
        after: { score: 'n/a' }
      }
    ]);
  });

  test('a diff by a key that is missing or repeats is a clear 400', async () => {
    const a = await ws.engine.ingest(await ws.write('v1.csv', csv(people(100))));
    const b = await ws.engine.ingest(await ws.write('v2.csv', csv([...people(100), ...people(2)])));
    await expect(ws.engine.diff(a.manifest, b.manifest, { key: ['nope'] })).rejects.toMatchObject({ status: 400, code: 'key_missing' });
    await expect(ws.engine.diff(a.manifest, b.manifest, { key: ['id'] })).rejects.toMatchObject({ status: 400, code: 'key_not_unique' });
    expect(await ws.engine.diff(a.manifest, b.manifest)).toMatchObject({
      added: 2,
      removed: 0,
      changed: 0
    });
  });
});

describe('bad table input', () => {
  test('malformed CSV, non-table files, missing, null and repeated keys are 400s with a clear message', async () => {
    const bad = async (name: string, content: string | Buffer, key?: string[]) =>
      ws.engine.ingest(await ws.write(name, content), { key }).then(
        () => null,
        err => ({
          status: err.status,
          code: err.code,
          message: String(err.message)
        })
      );
    const ragged = await bad('ragged.csv', 'id,name,score\n1,a,1.5\n2,b\n3,c,2.5\n');
    expect(ragged).toMatchObject({ status: 400, code: 'table_malformed' });
    expect(ragged!.message).toBe("Cannot read ragged.csv as CSV: line 3 has 2 ','-separated fields, the header has 3");
    expect(ragged!.message).not.toContain(ws.dir);
    expect(await bad('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]))).toMatchObject({ status: 400, code: 'not_a_table' });
    expect(await bad('binary.csv', Buffer.from([1, 2, 0, 0, 255, 3, 4, 0]))).toMatchObject({ status: 400, code: 'not_a_table' });
    expect(await bad('fake.parquet', 'id,name\n1,a\n')).toMatchObject({
      status: 400,
      code: 'table_malformed'
    });
    expect(await bad('people.csv', csv(people(10)), ['ident'])).toMatchObject({
      status: 400,
      code: 'key_missing',
      message: expect.stringContaining('ident')
    });
    const dup = await bad('dup.csv', csv([...people(10), ...people(2, 4)]), ['id']);
    expect(dup).toMatchObject({ status: 400, code: 'key_not_unique' });
    expect(dup!.message).toMatch(/2 value\(s\) repeat.*"id":4/);
    expect(await bad('null.csv', 'id,name\n1,a\n,b\n', ['id'])).toMatchObject({
      status: 400,
      code: 'key_null'
    });
    expect(await bad('reserved.csv', '__cv_ord,name\n1,a\n')).toMatchObject({
      status: 400,
      code: 'table_malformed'
    });
    // Nothing is left in the store's tmp folder by the failures.
    const tmp = await readdir(ws.objects.tmpDir()).catch(() => []);
    expect(tmp.filter(f => f !== 'duckdb')).toEqual([]);
  });

  test('a previous version that is not a table manifest is a 400', async () => {
    const { md5 } = await ws.objects.putFile(await ws.write('note.json', '{"hello": 1}'));
    await expect(
      ws.engine.ingest(await ws.write('p.csv', csv(people(5))), {
        previous: md5
      })
    ).rejects.toMatchObject({
      status: 400,
      code: 'not_a_table_version'
    });
  });
});
