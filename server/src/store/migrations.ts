import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import { trackingMigration } from '../tracking/migration';
import { modelsMigration } from '../models/migration';
import { loggedModelsMigration } from '../tracking/loggedModels/migration';
import { datasetsMigration } from '../datasets/migration';
import { gitMigration } from '../git/migration';
import { componentsMigration } from '../components/migration';
import { workspacesMigration } from '../workspaces/migration';
import { sharesMigration } from '../shares/migration';

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
  },
  {
    version: 2,
    name: 'runs and steps',
    async up(db) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'varchar(40)', c => c.primaryKey())
        .addColumn('owner', 'varchar(64)', c => c.notNull())
        .addColumn('name', 'varchar(200)', c => c.notNull())
        .addColumn('experiment', 'varchar(200)', c => c.notNull())
        .addColumn('status', 'varchar(20)', c => c.notNull())
        .addColumn('pipeline', 'text', c => c.notNull())
        .addColumn('params', 'text', c => c.notNull())
        .addColumn('sweep', 'text')
        .addColumn('submit', 'text', c => c.notNull())
        .addColumn('parent_id', 'varchar(40)', c => c.references('runs.id').onDelete('cascade'))
        .addColumn('resumed_from', 'varchar(40)')
        .addColumn('cache', 'integer', c => c.notNull().defaultTo(1))
        .addColumn('source_path', 'text')
        .addColumn('git_commit', 'varchar(64)')
        .addColumn('error', 'text')
        .addColumn('created_at', 'varchar(40)', c => c.notNull())
        .addColumn('started_at', 'varchar(40)')
        .addColumn('finished_at', 'varchar(40)')
        .execute();
      await db.schema.createIndex('runs_owner_created').on('runs').columns(['owner', 'created_at']).execute();
      await db.schema.createIndex('runs_status').on('runs').column('status').execute();
      await db.schema.createIndex('runs_parent').on('runs').column('parent_id').execute();
      await db.schema
        .createTable('steps')
        .addColumn('run_id', 'varchar(40)', c => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('name', 'varchar(64)', c => c.notNull())
        .addColumn('position', 'integer', c => c.notNull())
        .addColumn('status', 'varchar(20)', c => c.notNull())
        .addColumn('attempt', 'integer', c => c.notNull().defaultTo(0))
        .addColumn('depends_on', 'text', c => c.notNull())
        .addColumn('spec', 'text', c => c.notNull())
        .addColumn('container_id', 'varchar(80)')
        .addColumn('exit_code', 'integer')
        .addColumn('oom_killed', 'integer', c => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('cache_key', 'varchar(64)')
        .addColumn('cached_from', 'varchar(40)')
        .addColumn('image_digest', 'varchar(200)')
        .addColumn('notebook_hash', 'varchar(80)')
        .addColumn('executed_notebook', 'varchar(80)')
        .addColumn('outputs', 'text', c => c.notNull())
        .addColumn('queued_at', 'varchar(40)')
        .addColumn('started_at', 'varchar(40)')
        .addColumn('finished_at', 'varchar(40)')
        .addPrimaryKeyConstraint('steps_pk', ['run_id', 'name'])
        .execute();
      await db.schema.createIndex('steps_cache_key').on('steps').columns(['cache_key', 'status']).execute();
    }
  },
  {
    version: 3,
    name: 'metered usage and budget alerts',
    async up(db) {
      // One row per step attempt that held resources (resources/usage.ts). `ifNotExists`: test suites
      // that reset a database drop only their own tables.
      await db.schema
        .createTable('usage')
        .ifNotExists()
        .addColumn('id', 'varchar(200)', c => c.primaryKey())
        .addColumn('owner', 'varchar(64)', c => c.notNull())
        .addColumn('project', 'varchar(200)', c => c.notNull())
        .addColumn('run_id', 'varchar(40)', c => c.notNull())
        .addColumn('step', 'varchar(64)', c => c.notNull())
        .addColumn('attempt', 'integer', c => c.notNull())
        .addColumn('profile', 'varchar(64)')
        .addColumn('preemptible', 'integer', c => c.notNull().defaultTo(0))
        .addColumn('price_per_hour', 'double precision', c => c.notNull())
        .addColumn('cpus', 'double precision', c => c.notNull())
        .addColumn('memory_bytes', 'bigint', c => c.notNull())
        .addColumn('gpus', 'integer', c => c.notNull())
        .addColumn('started_at', 'varchar(40)', c => c.notNull())
        .addColumn('finished_at', 'varchar(40)', c => c.notNull())
        .addColumn('seconds', 'double precision', c => c.notNull())
        .addColumn('cost', 'double precision', c => c.notNull())
        .addColumn('month', 'varchar(7)', c => c.notNull())
        .addColumn('day', 'varchar(10)', c => c.notNull())
        .execute();
      await db.schema.createIndex('usage_owner_day').ifNotExists().on('usage').columns(['owner', 'day']).execute();
      await db.schema.createIndex('usage_project_month').ifNotExists().on('usage').columns(['project', 'month']).execute();
      // One row per budget, threshold, month and recipient: an alert is raised once.
      await db.schema
        .createTable('budget_alerts')
        .ifNotExists()
        .addColumn('id', 'varchar(400)', c => c.primaryKey())
        .addColumn('recipient', 'varchar(64)', c => c.notNull())
        .addColumn('scope', 'varchar(10)', c => c.notNull())
        .addColumn('name', 'varchar(200)', c => c.notNull())
        .addColumn('period', 'varchar(7)', c => c.notNull())
        .addColumn('threshold', 'double precision', c => c.notNull())
        .addColumn('spent', 'double precision', c => c.notNull())
        .addColumn('limit_usd', 'double precision', c => c.notNull())
        .addColumn('message', 'text', c => c.notNull())
        .addColumn('created_at', 'varchar(40)', c => c.notNull())
        .execute();
      await db.schema.createIndex('budget_alerts_recipient').ifNotExists().on('budget_alerts').columns(['recipient', 'created_at']).execute();
    }
  },
  trackingMigration,
  modelsMigration,
  loggedModelsMigration,
  datasetsMigration,
  gitMigration,
  componentsMigration,
  workspacesMigration,
  sharesMigration
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
