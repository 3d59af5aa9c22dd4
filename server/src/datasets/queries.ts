import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { DatasetsTable, DatasetVersionsTable } from './tables';

export type DatasetRow = DatasetsTable;
export type VersionRow = DatasetVersionsTable;

export function newVersionId(): string {
  return randomBytes(6).toString('hex');
}

/** Store queries of the datasets feature (SQLite and Postgres alike). */
export class DatasetQueries {
  constructor(readonly db: Kysely<Database>) {}

  async find(owner: string, name: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('owner', '=', owner).where('name', '=', name).executeTakeFirst();
  }

  async byId(id: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The caller's own datasets and those shared with them (or with everyone). */
  async listVisible(user: string): Promise<DatasetRow[]> {
    return this.db
      .selectFrom('datasets')
      .selectAll()
      .where(eb => eb.or([eb('owner', '=', user), eb('id', 'in', eb.selectFrom('dataset_shares').select('dataset_id').where('user', 'in', [user, '*']))]))
      .orderBy('owner')
      .orderBy('name')
      .execute();
  }

  async canRead(user: string, ds: DatasetRow): Promise<boolean> {
    if (ds.owner === user) return true;
    const share = await this.db.selectFrom('dataset_shares').select('user').where('dataset_id', '=', ds.id).where('user', 'in', [user, '*']).executeTakeFirst();
    return share !== undefined;
  }

  async create(owner: string, name: string, description: string, now: string): Promise<DatasetRow> {
    const row: DatasetRow = {
      id: randomBytes(16).toString('hex'),
      owner,
      name,
      description,
      created_at: now,
      updated_at: now
    };
    try {
      await this.db.insertInto('datasets').values(row).execute();
      return row;
    } catch (err) {
      // Created by a concurrent add in the meantime.
      const existing = await this.find(owner, name);
      if (existing) return existing;
      throw err;
    }
  }

  async versions(datasetIds: string[]): Promise<VersionRow[]> {
    if (datasetIds.length === 0) return [];
    return this.db.selectFrom('dataset_versions').selectAll().where('dataset_id', 'in', datasetIds).orderBy('seq', 'desc').execute();
  }

  async latest(datasetId: string): Promise<VersionRow | undefined> {
    return this.db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  async version(datasetId: string, id: string): Promise<VersionRow | undefined> {
    return this.db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).where('id', '=', id).executeTakeFirst();
  }

  async versionById(id: string): Promise<VersionRow | undefined> {
    return this.db.selectFrom('dataset_versions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertVersion(row: VersionRow, now: string): Promise<void> {
    await this.db.transaction().execute(async trx => {
      await trx.insertInto('dataset_versions').values(row).execute();
      await trx.updateTable('datasets').set({ updated_at: now }).where('id', '=', row.dataset_id).execute();
    });
  }

  async tags(datasetIds: string[]): Promise<{ dataset_id: string; tag: string; version_id: string }[]> {
    if (datasetIds.length === 0) return [];
    return this.db.selectFrom('dataset_tags').select(['dataset_id', 'tag', 'version_id']).where('dataset_id', 'in', datasetIds).orderBy('tag').execute();
  }

  async tag(datasetId: string, tag: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('dataset_tags').select('version_id').where('dataset_id', '=', datasetId).where('tag', '=', tag).executeTakeFirst();
    return row?.version_id;
  }

  async setTag(datasetId: string, tag: string, versionId: string, user: string, now: string): Promise<void> {
    await this.db.transaction().execute(async trx => {
      await trx.deleteFrom('dataset_tags').where('dataset_id', '=', datasetId).where('tag', '=', tag).execute();
      await trx
        .insertInto('dataset_tags')
        .values({
          dataset_id: datasetId,
          tag,
          version_id: versionId,
          updated_by: user,
          updated_at: now
        })
        .execute();
    });
  }

  async deleteTag(datasetId: string, tag: string): Promise<number> {
    const r = await this.db.deleteFrom('dataset_tags').where('dataset_id', '=', datasetId).where('tag', '=', tag).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async shares(datasetId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('dataset_shares').select('user').where('dataset_id', '=', datasetId).orderBy('user').execute();
    return rows.map(r => r.user);
  }

  async setShares(datasetId: string, users: string[]): Promise<void> {
    await this.db.transaction().execute(async trx => {
      await trx.deleteFrom('dataset_shares').where('dataset_id', '=', datasetId).execute();
      if (users.length)
        await trx
          .insertInto('dataset_shares')
          .values(users.map(user => ({ dataset_id: datasetId, user })))
          .execute();
    });
  }

  /** Every version the user may see the bytes of (own or shared, not blinded): for the DVC remote. */
  async readableRoots(user: string): Promise<{ id: string; md5: string; kind: string }[]> {
    const visible = await this.listVisible(user);
    if (visible.length === 0) return [];
    return this.db
      .selectFrom('dataset_versions')
      .select(['id', 'md5', 'kind'])
      .where(
        'dataset_id',
        'in',
        visible.map(d => d.id)
      )
      .where('blinded', '=', 0)
      .execute();
  }

  /**
   * Changes whenever who may read which version's bytes may have changed (versions added, blinded
   * or unblinded, shares changed), whoever changed it (this module, datasets/runs/, another process).
   */
  async accessFingerprint(): Promise<string> {
    const [count, blinded, shares] = await Promise.all([
      this.db
        .selectFrom('dataset_versions')
        .select(eb => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirst(),
      this.db.selectFrom('dataset_versions').select('id').where('blinded', '=', 1).orderBy('id').execute(),
      this.db.selectFrom('dataset_shares').select(['dataset_id', 'user']).orderBy('dataset_id').orderBy('user').execute()
    ]);
    return JSON.stringify([Number(count?.n ?? 0), blinded.map(b => b.id), shares.map(x => `${x.dataset_id}:${x.user}`)]);
  }

  async lineage(versionIds: string[]): Promise<
    {
      version_id: string;
      run_id: string;
      step: string;
      direction: string;
      input: string;
      created_at: string;
    }[]
  > {
    if (versionIds.length === 0) return [];
    return this.db.selectFrom('dataset_lineage').selectAll().where('version_id', 'in', versionIds).orderBy('created_at').execute();
  }
}
