import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool } from '../../src/datasets/hashPool';
import { ObjectStore } from '../../src/datasets/objects';
import { TableEngine } from '../../src/datasets/tables/engine';
import { StoreTableObjects } from '../../src/datasets/tables/storeObjects';

/** A table row of the fixtures: id, name, score (null every 7th row), category, day. */
export interface Person {
  id: number;
  name: string;
  score: number | null;
  category: string;
  day: string;
}

export function people(count: number, start = 0): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const id = start + i;
    return {
      id,
      name: `name-${((id * 2654435761) % 4294967296).toString(36)}`,
      score: id % 7 === 3 ? null : (id % 1000) + 0.5,
      category: ['red', 'green', 'blue'][id % 3],
      day: `2024-0${1 + (id % 9)}-1${id % 10}`
    };
  });
}

export function csv(rows: Person[]): string {
  const lines = rows.map(r => `${r.id},${r.name},${r.score ?? ''},${r.category},${r.day}`);
  return `id,name,score,category,day\n${lines.join('\n')}\n`;
}

export interface Workspace {
  dir: string;
  /** The datasets object store (DVC 3 layout) the tables live in. */
  store: ObjectStore;
  objects: StoreTableObjects;
  engine: TableEngine;
  write(name: string, content: string | Buffer): Promise<string>;
  exportCsv(version: string): Promise<string>;
  close(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'conveyor-tables-'));
  const pool = new HashPool(2);
  const store = new ObjectStore(join(dir, 'store'), pool);
  await store.init();
  const objects = new StoreTableObjects(store);
  const engine = new TableEngine(objects);
  return {
    dir,
    store,
    objects,
    engine,
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    async exportCsv(version) {
      const path = join(dir, `export-${version}.csv`);
      await engine.export(version, 'csv', path);
      return readFile(path, 'utf-8');
    },
    async close() {
      await engine.close();
      await pool.close();
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Rows with a new score at every `step`-th id from `from` (scattered changes). */
export function rescore(rows: Person[], step: number, from = 17): { rows: Person[]; changed: number } {
  let changed = 0;
  const out = rows.map(r => {
    if (r.id % step !== from % step) return r;
    changed++;
    return { ...r, score: (r.score ?? 0.25) + 1000 };
  });
  return { rows: out, changed };
}
