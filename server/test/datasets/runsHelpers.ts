import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Store } from '../../src/store/store';

const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** Writes one object into the DVC 3 layout of <dataDir>/datasets/store. */
export function putObject(dataDir: string, data: Buffer | string, suffix = ''): string {
  const id = md5(data);
  const dir = join(dataDir, 'datasets', 'store', 'files', 'md5', id.slice(0, 2));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, id.slice(2) + suffix), data);
  return id + suffix;
}

/** A `.dir` manifest exactly as DVC writes it (sorted by relpath, Python's json.dumps separators). */
export function dirObject(dataDir: string, files: Record<string, string>): string {
  const entries = Object.keys(files)
    .sort()
    .map(relpath => ({ md5: putObject(dataDir, files[relpath]), relpath }));
  const text = '[' + entries.map(e => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ') + ']';
  return putObject(dataDir, text, '.dir');
}

/**
 * Registers a version the way the datasets store does (rows of migration v7, objects in the
 * DVC layout): real files and the real database, no service in between.
 */
export async function addVersion(
  store: Store,
  dataDir: string,
  a: {
    owner: string;
    name: string;
    files: Record<string, string>;
    tags?: string[];
    blinded?: boolean;
    shareWith?: string[];
  }
): Promise<string> {
  const db = store.db;
  const now = new Date().toISOString();
  let ds = await db.selectFrom('datasets').selectAll().where('owner', '=', a.owner).where('name', '=', a.name).executeTakeFirst();
  if (!ds) {
    ds = {
      id: randomBytes(16).toString('hex'),
      owner: a.owner,
      name: a.name,
      description: '',
      created_at: now,
      updated_at: now
    };
    await db.insertInto('datasets').values(ds).execute();
  }
  const seq =
    Number(
      (
        await db
          .selectFrom('dataset_versions')
          .select(eb => eb.fn.countAll().as('n'))
          .where('dataset_id', '=', ds.id)
          .executeTakeFirst()
      )?.n ?? 0
    ) + 1;
  const id = randomBytes(6).toString('hex');
  const root = dirObject(dataDir, a.files);
  const bytes = Object.values(a.files).reduce((n, f) => n + Buffer.byteLength(f), 0);
  await db
    .insertInto('dataset_versions')
    .values({
      id,
      dataset_id: ds.id,
      seq,
      kind: 'files',
      md5: root,
      message: `v${seq}`,
      author: a.owner,
      parents: '[]',
      files: Object.keys(a.files).length,
      bytes,
      blinded: a.blinded ? 1 : 0,
      source_path: null,
      table_meta: null,
      created_at: now
    })
    .execute();
  for (const tag of a.tags ?? []) {
    await db.deleteFrom('dataset_tags').where('dataset_id', '=', ds.id).where('tag', '=', tag).execute();
    await db
      .insertInto('dataset_tags')
      .values({
        dataset_id: ds.id,
        tag,
        version_id: id,
        updated_by: a.owner,
        updated_at: now
      })
      .execute();
  }
  for (const user of a.shareWith ?? []) {
    await db
      .insertInto('dataset_shares')
      .values({ dataset_id: ds.id, user })
      .onConflict(oc => oc.doNothing())
      .execute();
  }
  return id;
}

/** Removes the dataset volumes of every version in `store` (the engine is shared by all suites). */
export async function removeVolumes(store: Store): Promise<void> {
  const docker = new Docker();
  const ids = new Set((await store.db.selectFrom('dataset_versions').select('id').execute()).map(r => r.id));
  const { Volumes } = await docker.listVolumes({
    filters: { label: ['io.conveyor.kind=dataset'] }
  });
  for (const v of Volumes ?? []) {
    if (ids.has(v.Labels?.['io.conveyor.dataset-version'] ?? ''))
      await docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
  }
}
