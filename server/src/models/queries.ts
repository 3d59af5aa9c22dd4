import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/database';
import type { ModelVersionsTable, RegisteredModelsTable } from './tables';

export type ModelRow = RegisteredModelsTable & { creation_timestamp: number; last_updated_timestamp: number };
export type VersionRow = ModelVersionsTable & { creation_timestamp: number; last_updated_timestamp: number };

type Db = Kysely<Database> | Transaction<Database>;

const num = <T extends { creation_timestamp: number | string; last_updated_timestamp: number | string }>(r: T) => ({
  ...r,
  creation_timestamp: Number(r.creation_timestamp),
  last_updated_timestamp: Number(r.last_updated_timestamp)
});

/** True when `err` is a unique/primary-key violation on SQLite or Postgres. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The registry's SQL, the same on SQLite and Postgres. */
export class ModelQueries {
  constructor(readonly db: Kysely<Database>) {}

  /** The caller's own model by that name, else one shared with them (or with everyone). */
  async findVisible(user: string, name: string): Promise<ModelRow | undefined> {
    const own = await this.db.selectFrom('registered_models').selectAll().where('owner', '=', user).where('name', '=', name).executeTakeFirst();
    if (own) return num(own);
    const shared = await this.db
      .selectFrom('registered_models as m')
      .innerJoin('registered_model_shares as s', 's.model_id', 'm.id')
      .selectAll('m')
      .where('m.name', '=', name)
      .where('s.user', 'in', [user, '*'])
      .orderBy('m.creation_timestamp')
      .executeTakeFirst();
    return shared && num(shared);
  }

  async listVisible(user: string): Promise<ModelRow[]> {
    const rows = await this.db
      .selectFrom('registered_models as m')
      .selectAll('m')
      .where(eb =>
        eb.or([
          eb('m.owner', '=', user),
          eb.exists(
            eb
              .selectFrom('registered_model_shares as s')
              .select('s.model_id')
              .whereRef('s.model_id', '=', 'm.id')
              .where('s.user', 'in', [user, '*'])
          )
        ])
      )
      .execute();
    // A shared model hidden by the caller's own model of the same name is not addressable by name.
    const own = new Set(rows.filter(r => r.owner === user).map(r => r.name));
    const seen = new Set<string>();
    return rows
      .map(num)
      .sort((a, b) => (a.owner === user ? 0 : 1) - (b.owner === user ? 0 : 1) || a.creation_timestamp - b.creation_timestamp)
      .filter(r => {
        if ((r.owner !== user && own.has(r.name)) || seen.has(r.name)) return false;
        seen.add(r.name);
        return true;
      });
  }

  async insertModel(owner: string, name: string, description: string, now: number, tags: { key: string; value: string }[]): Promise<ModelRow> {
    const row = { id: randomUUID(), owner, name, description, creation_timestamp: now, last_updated_timestamp: now };
    await this.db.transaction().execute(async trx => {
      await trx.insertInto('registered_models').values(row).execute();
      if (tags.length) {
        await trx.insertInto('registered_model_tags').values(tags.map(t => ({ model_id: row.id, ...t }))).execute();
      }
    });
    return row;
  }

  async touch(db: Db, modelId: string, now: number): Promise<void> {
    await db.updateTable('registered_models').set({ last_updated_timestamp: now }).where('id', '=', modelId).execute();
  }

  async tags(modelIds: string[]): Promise<Map<string, { key: string; value: string }[]>> {
    const out = new Map<string, { key: string; value: string }[]>();
    if (!modelIds.length) return out;
    const rows = await this.db.selectFrom('registered_model_tags').selectAll().where('model_id', 'in', modelIds).orderBy('key').execute();
    for (const r of rows) out.set(r.model_id, [...(out.get(r.model_id) ?? []), { key: r.key, value: r.value }]);
    return out;
  }

  async aliases(modelIds: string[]): Promise<Map<string, { alias: string; version: number }[]>> {
    const out = new Map<string, { alias: string; version: number }[]>();
    if (!modelIds.length) return out;
    const rows = await this.db.selectFrom('registered_model_aliases').selectAll().where('model_id', 'in', modelIds).orderBy('alias').execute();
    for (const r of rows) out.set(r.model_id, [...(out.get(r.model_id) ?? []), { alias: r.alias, version: Number(r.version) }]);
    return out;
  }

  async shares(modelId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('registered_model_shares').select('user').where('model_id', '=', modelId).orderBy('user').execute();
    return rows.map(r => r.user);
  }

  async setShares(modelId: string, users: string[]): Promise<void> {
    await this.db.transaction().execute(async trx => {
      await trx.deleteFrom('registered_model_shares').where('model_id', '=', modelId).execute();
      if (users.length) await trx.insertInto('registered_model_shares').values(users.map(user => ({ model_id: modelId, user }))).execute();
    });
  }

  /** Live (not deleted) versions of these models, newest first. */
  async versions(modelIds: string[]): Promise<VersionRow[]> {
    if (!modelIds.length) return [];
    const rows = await this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', 'in', modelIds)
      .where('deleted', '=', 0)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(r => ({ ...num(r), version: Number(r.version) }));
  }

  async version(modelId: string, version: number): Promise<VersionRow | undefined> {
    const row = await this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', '=', modelId)
      .where('version', '=', version)
      .where('deleted', '=', 0)
      .executeTakeFirst();
    return row && { ...num(row), version: Number(row.version) };
  }

  async versionTags(modelIds: string[]): Promise<Map<string, { key: string; value: string }[]>> {
    const out = new Map<string, { key: string; value: string }[]>();
    if (!modelIds.length) return out;
    const rows = await this.db.selectFrom('model_version_tags').selectAll().where('model_id', 'in', modelIds).orderBy('key').execute();
    for (const r of rows) {
      const k = `${r.model_id}/${Number(r.version)}`;
      out.set(k, [...(out.get(k) ?? []), { key: r.key, value: r.value }]);
    }
    return out;
  }

  /** Inserts the next version number (never reused); retries when a concurrent insert took it. */
  async insertVersion(
    row: Omit<ModelVersionsTable, 'version' | 'deleted'>,
    tags: { key: string; value: string }[]
  ): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async trx => {
          const max = await trx
            .selectFrom('model_versions')
            .select(eb => eb.fn.max('version').as('v'))
            .where('model_id', '=', row.model_id)
            .executeTakeFirst();
          const version = Number(max?.v ?? 0) + 1;
          await trx.insertInto('model_versions').values({ ...row, version, deleted: 0 }).execute();
          if (tags.length) {
            await trx.insertInto('model_version_tags').values(tags.map(t => ({ model_id: row.model_id, version, ...t }))).execute();
          }
          await this.touch(trx, row.model_id, Number(row.creation_timestamp));
          return version;
        });
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 10) throw err;
      }
    }
  }
}
