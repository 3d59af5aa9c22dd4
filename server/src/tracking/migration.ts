import { sql } from 'kysely';
import type { Migration } from '../store/migrations';

/**
 * Migration 4: experiments, tracked runs, params, metrics, tags, inputs, artifacts, step tokens.
 * Indexes serve search at 10,000 runs × 50 params × 50 metrics: runs by experiment and start
 * time, latest metrics and params by (key, value) prefix, history by (run, key, step).
 * Long text values (params ≤ 6000, tags ≤ 8000 chars) are indexed by a 200-char prefix: a
 * Postgres btree row must stay under ~2.7 kB. `ifNotExists`: test suites that reset a database
 * drop only their own tables.
 */
export const trackingMigration: Migration = {
  version: 4,
  name: 'experiment tracking',
  async up(db) {
    // SQLite: child tables keyed by (run_uuid, key) are clustered on that key (WITHOUT ROWID), so a
    // run's params or metrics are one contiguous read. Postgres has no such option and needs none.
    const sqlite = !db.getExecutor().adapter.supportsTransactionalDdl;
    const clustered = <T extends { modifyEnd(s: ReturnType<typeof sql>): T }>(b: T): T => (sqlite ? b.modifyEnd(sql`without rowid`) : b);
    await db.schema
      .createTable('experiments')
      .ifNotExists()
      .addColumn('experiment_id', 'bigint', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('name', 'varchar(500)', c => c.notNull())
      .addColumn('artifact_location', 'text', c => c.notNull())
      .addColumn('lifecycle_stage', 'varchar(16)', c => c.notNull())
      .addColumn('creation_time', 'bigint', c => c.notNull())
      .addColumn('last_update_time', 'bigint', c => c.notNull())
      .addUniqueConstraint('experiments_owner_name', ['owner', 'name'])
      .execute();
    await db
      .insertInto('experiments')
      .values({
        experiment_id: 0,
        owner: '',
        name: 'Default',
        artifact_location: 'mlflow-artifacts:/0',
        lifecycle_stage: 'active',
        creation_time: Date.now(),
        last_update_time: Date.now()
      })
      .onConflict(oc => oc.column('experiment_id').doNothing())
      .execute();
    await db.schema
      .createTable('experiment_tags')
      .ifNotExists()
      .addColumn('experiment_id', 'bigint', c => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addColumn('value', 'text', c => c.notNull())
      .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
      .execute();
    await db.schema
      .createTable('experiment_shares')
      .ifNotExists()
      .addColumn('experiment_id', 'bigint', c => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('user', 'varchar(64)', c => c.notNull())
      .addPrimaryKeyConstraint('experiment_shares_pk', ['experiment_id', 'user'])
      .execute();
    await db.schema.createIndex('experiment_shares_user').ifNotExists().on('experiment_shares').column('user').execute();
    await db.schema
      .createTable('tracked_runs')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.primaryKey())
      .addColumn('experiment_id', 'bigint', c => c.notNull().references('experiments.experiment_id'))
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('run_name', 'varchar(250)', c => c.notNull())
      .addColumn('status', 'varchar(16)', c => c.notNull())
      .addColumn('start_time', 'bigint', c => c.notNull())
      .addColumn('end_time', 'bigint')
      .addColumn('deleted_time', 'bigint')
      .addColumn('lifecycle_stage', 'varchar(16)', c => c.notNull())
      .addColumn('artifact_uri', 'text', c => c.notNull())
      .addColumn('conveyor_run_id', 'varchar(40)')
      .addColumn('step', 'varchar(64)')
      .execute();
    await db.schema.createIndex('tracked_runs_experiment_start').ifNotExists().on('tracked_runs').columns(['experiment_id', 'start_time']).execute();
    await db.schema.createIndex('tracked_runs_owner_experiment').ifNotExists().on('tracked_runs').columns(['owner', 'experiment_id', 'start_time']).execute();
    await db.schema.createIndex('tracked_runs_conveyor').ifNotExists().on('tracked_runs').columns(['conveyor_run_id', 'step']).execute();
    for (const table of ['run_params', 'run_tags']) {
      await db.schema
        .createTable(table)
        .ifNotExists()
        .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', c => c.notNull())
        .addColumn('value', 'text', c => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['run_uuid', 'key'])
        .$call(clustered)
        .execute();
      await sql`create index if not exists ${sql.raw(`${table}_key_value`)} on ${sql.table(table)} (key, substr(value, 1, 200))`.execute(db);
    }
    await db.schema
      .createTable('metric_history')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addColumn('value', 'double precision', c => c.notNull())
      .addColumn('is_nan', 'integer', c => c.notNull().defaultTo(0))
      .addColumn('timestamp', 'bigint', c => c.notNull())
      .addColumn('step', 'bigint', c => c.notNull())
      .execute();
    await db.schema.createIndex('metric_history_run_key_step').ifNotExists().on('metric_history').columns(['run_uuid', 'key', 'step']).execute();
    await db.schema
      .createTable('latest_metrics')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addColumn('value', 'double precision', c => c.notNull())
      .addColumn('is_nan', 'integer', c => c.notNull().defaultTo(0))
      .addColumn('timestamp', 'bigint', c => c.notNull())
      .addColumn('step', 'bigint', c => c.notNull())
      .addColumn('min_value', 'double precision')
      .addColumn('max_value', 'double precision')
      .addColumn('count', 'bigint', c => c.notNull())
      .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key'])
      .$call(clustered)
      .execute();
    await db.schema.createIndex('latest_metrics_key_value').ifNotExists().on('latest_metrics').columns(['key', 'value']).execute();
    await db.schema
      .createTable('tracking_keys')
      .ifNotExists()
      .addColumn('experiment_id', 'bigint', c => c.notNull())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('kind', 'varchar(8)', c => c.notNull())
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addPrimaryKeyConstraint('tracking_keys_pk', ['experiment_id', 'owner', 'kind', 'key'])
      .$call(clustered)
      .execute();
    await db.schema
      .createTable('run_inputs')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
      .addColumn('name', 'varchar(500)', c => c.notNull())
      .addColumn('digest', 'varchar(36)', c => c.notNull())
      .addColumn('source_type', 'varchar(36)', c => c.notNull())
      .addColumn('source', 'text', c => c.notNull())
      .addColumn('schema', 'text')
      .addColumn('profile', 'text')
      .addColumn('context', 'varchar(500)')
      .addPrimaryKeyConstraint('run_inputs_pk', ['run_uuid', 'name', 'digest'])
      .execute();
    await db.schema
      .createTable('tracked_artifacts')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
      .addColumn('path', 'varchar(1000)', c => c.notNull())
      .addColumn('hash', 'varchar(64)', c => c.notNull())
      .addColumn('size', 'bigint', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addPrimaryKeyConstraint('tracked_artifacts_pk', ['run_uuid', 'path'])
      .execute();
    await db.schema
      .createTable('tracking_tokens')
      .ifNotExists()
      .addColumn('hash', 'varchar(64)', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull())
      .addColumn('expires_at', 'bigint', c => c.notNull())
      .execute();
    await db.schema.createIndex('tracking_tokens_run').ifNotExists().on('tracking_tokens').column('run_uuid').execute();
  }
};
