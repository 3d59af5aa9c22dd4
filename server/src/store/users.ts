import type { Kysely } from 'kysely';
import type { Database } from './database';

export interface User {
  name: string;
  admin: boolean;
  createdAt: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function toUser(row: { name: string; admin: number; created_at: string }): User {
  return { name: row.name, admin: Number(row.admin) === 1, createdAt: row.created_at };
}

/** Queries of the users table. Users are shared by every feature, hence they live in the store. */
export class UserQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map(toUser);
  }

  /** Inserts a user; returns undefined when the name is taken. */
  async create(name: string, admin: boolean, now = new Date()): Promise<User | undefined> {
    const result = await this.db
      .insertInto('users')
      .values({ name, admin: admin ? 1 : 0, created_at: now.toISOString() })
      .onConflict(oc => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) {
      return undefined;
    }
    return { name, admin, createdAt: now.toISOString() };
  }

  /** Returns the user, creating it first when it does not exist (embedded-mode identities). */
  async ensure(name: string, admin: boolean): Promise<User> {
    return (await this.get(name)) ?? (await this.create(name, admin)) ?? (await this.get(name))!;
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
