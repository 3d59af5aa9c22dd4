import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

export interface Migration {
  version: number;
  name: string;
  // Migrations see the database as it is at their point in history, hence `any`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>): Promise<void>;
}

/** Versioned, append-only: never edit a released migration, add the next one. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'users and api tokens',
    async up(db) {
      await db.schema
        .createTable('users')
        .addColumn('name', 'varchar(64)', c => c.primaryKey())
        .addColumn('admin', 'integer', c => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(40)', c => c.notNull())
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(40)', c => c.primaryKey())
        .addColumn('user', 'varchar(64)', c => c.notNull().references('users.name').onDelete('cascade'))
        .addColumn('name', 'varchar(100)', c => c.notNull())
        .addColumn('hash', 'varchar(64)', c => c.notNull().unique())
        .addColumn('created_at', 'varchar(40)', c => c.notNull())
        .addColumn('expires_at', 'varchar(40)')
        .addColumn('last_used_at', 'varchar(40)')
        .execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user').execute();
    }
  }
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings the database to the latest version, each migration in its own transaction.
 * Postgres takes an advisory lock so two servers starting together do not race.
 * Returns the schema version afterwards.
 */
export async function migrate(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Promise<number> {
  await db.schema
    .createTable('schema_version')
    .ifNotExists()
    .addColumn('version', 'integer', c => c.primaryKey())
    .addColumn('name', 'varchar(200)', c => c.notNull())
    .addColumn('applied_at', 'varchar(40)', c => c.notNull())
    .execute();
  for (const migration of MIGRATIONS) {
    await db.transaction().execute(async trx => {
      if (kind === 'postgres') {
        await sql`select pg_advisory_xact_lock(7253001)`.execute(trx);
      }
      const done = await trx
        .selectFrom('schema_version')
        .select('version')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (done) {
        return;
      }
      await migration.up(trx);
      await trx
        .insertInto('schema_version')
        .values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() })
        .execute();
    });
  }
  return currentVersion(db);
}

export async function currentVersion(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('schema_version')
    .select(eb => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}
