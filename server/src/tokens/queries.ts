import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, Database } from '../store/database';
import type { ApiToken } from '../../../schema/generated/api';

export type TokenRow = Selectable<ApiTokensTable>;

export function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at
  };
}

/** Queries of the api_tokens table; only the tokens feature touches it. */
export class TokenQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: TokenRow): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
  }

  async listByUser(user: string): Promise<TokenRow[]> {
    return this.db.selectFrom('api_tokens').selectAll().where('user', '=', user).orderBy('created_at').orderBy('id').execute();
  }

  async get(id: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByHash(hash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** Deletes a token; with `user`, only when it belongs to that user. */
  async remove(id: string, user?: string): Promise<boolean> {
    let query = this.db.deleteFrom('api_tokens').where('id', '=', id);
    if (user !== undefined) {
      query = query.where('user', '=', user);
    }
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
