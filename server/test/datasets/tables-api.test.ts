import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env';
import { DatasetsEnv } from './helpers';
import { csv, people, rescore } from './tablesFixtures';

/** Table versions through the real server: add, preview, row-level diff, bad input, visibility. */
describe('table datasets over the API', () => {
  let env: DatasetsEnv;
  let ws: { path: string; cleanup(): void };
  let data: { path: string; cleanup(): void };

  beforeAll(async () => {
    ws = tempDir('tables-ws');
    data = tempDir('tables-data');
    env = await DatasetsEnv.start({ workspace: ws.path, dataDir: data.path });
  });
  afterAll(async () => {
    await env?.srv.close();
    ws?.cleanup();
    data?.cleanup();
  });

  test('two versions of a CSV: stats, a delta of the changed rows, a preview page and the row diff', async () => {
    const v1rows = people(4000);
    writeFileSync(join(ws.path, 'people.csv'), csv(v1rows));
    const v1 = await env.add('alice', { name: 'people', path: 'people.csv', table: { key: ['id'] }, message: 'first' });
    expect(v1).toMatchObject({ kind: 'table', dataset: 'alice/people', table: { rowCount: 4000, key: ['id'], storage: { mode: 'base' } } });
    expect(v1.table.stats.find((s: { name: string }) => s.name === 'id')).toMatchObject({ nulls: 0, min: 0, max: 3999, distinct: 4000 });

    const { rows: v2rows, changed } = rescore(v1rows, 100);
    writeFileSync(join(ws.path, 'people.csv'), csv(v2rows));
    const v2 = await env.add('alice', { name: 'people', path: 'people.csv', table: {} });
    expect(v2).toMatchObject({ kind: 'table', parents: [v1.id], table: { key: ['id'], storage: { mode: 'delta', changed } } });
    expect(v2.table.storedBytes).toBeLessThan(0.1 * v1.table.storedBytes);

    const page = await env.api('alice', 'GET', `/datasets/alice/people/versions/${v2.id}/preview?limit=3`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ rowCount: 4000, rows: [{ id: 0 }, { id: 1 }, { id: 2 }] });
    const later = await env.api('alice', 'GET', `/datasets/alice/people/versions/${v2.id}/preview?limit=2&offset=17`);
    expect(later.body).toMatchObject({ offset: 17, limit: 2, rows: [{ id: 17, score: v2rows[17].score }, { id: 18 }] });

    const diff = await env.api('alice', 'GET', `/datasets/alice/people/diff?from=${v1.id}&to=${v2.id}`);
    expect(diff.status).toBe(200);
    expect(diff.body.table).toMatchObject({ matchedBy: 'key', added: 0, removed: 0, changed });
    expect(diff.body.table.sample[0]).toMatchObject({ kind: 'changed', key: { id: 17 }, columns: ['score'] });

    // Downloading the version's file gives its rows back as the CSV that was added.
    const file = await fetch(`${env.srv.url}/datasets/alice/people/versions/${v2.id}/files/people.csv`, { headers: env.headers('alice') });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(csv(v2rows));

    // Another user sees none of it.
    const other = await env.api('bob', 'GET', `/datasets/alice/people/versions/${v2.id}/preview`);
    expect(other.status).toBeGreaterThanOrEqual(403);
    expect(other.status).toBeLessThan(500);
  });

  test('bad table input is a 400 with a clear code and message, and records no version', async () => {
    writeFileSync(join(ws.path, 'ragged.csv'), 'a,b\n1,2\n3\n');
    writeFileSync(join(ws.path, 'dup.csv'), csv([...people(5), ...people(1)]));
    const cases: [string, string[] | undefined, string][] = [
      ['ragged.csv', undefined, 'table_malformed'],
      ['dup.csv', ['id'], 'key_not_unique'],
      ['dup.csv', ['nope'], 'key_missing']
    ];
    for (const [path, key, code] of cases) {
      const r = await env.api('alice', 'POST', '/datasets/versions', { name: 'bad', path, table: key ? { key } : {} });
      expect({ path, status: r.status, code: r.body?.error?.code }).toEqual({ path, status: 400, code });
      expect(r.body.error.message).toContain(path === 'ragged.csv' ? 'line 3' : key![0]);
      expect(r.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    }
    const list = await env.api('alice', 'GET', '/datasets/alice/bad');
    expect(list.status).toBe(404);
  });
});
