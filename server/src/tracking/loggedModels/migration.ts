import type { Migration } from '../../store/migrations';

/**
 * Migration 6: MLflow 3 logged models, their tags, params and files, and run outputs.
 * `ifNotExists`: test suites that reset a shared database drop only their own tables.
 */
export const loggedModelsMigration: Migration = {
  version: 6,
  name: 'logged models',
  async up(db) {
    await db.schema
      .createTable('logged_models')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.primaryKey())
      .addColumn('experiment_id', 'bigint', c => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('name', 'varchar(500)', c => c.notNull())
      .addColumn('artifact_location', 'text', c => c.notNull())
      .addColumn('status', 'varchar(32)', c => c.notNull())
      .addColumn('status_message', 'text', c => c.notNull().defaultTo(''))
      .addColumn('model_type', 'varchar(500)', c => c.notNull().defaultTo(''))
      .addColumn('source_run_id', 'varchar(32)', c => c.notNull().defaultTo(''))
      .addColumn('lifecycle_stage', 'varchar(20)', c => c.notNull().defaultTo('active'))
      .addColumn('creation_timestamp_ms', 'bigint', c => c.notNull())
      .addColumn('last_updated_timestamp_ms', 'bigint', c => c.notNull())
      .execute();
    await db.schema.createIndex('logged_models_experiment_name').ifNotExists().on('logged_models').columns(['experiment_id', 'name']).execute();
    await db.schema.createIndex('logged_models_source_run').ifNotExists().on('logged_models').column('source_run_id').execute();
    for (const table of ['logged_model_tags', 'logged_model_params']) {
      await db.schema
        .createTable(table)
        .ifNotExists()
        .addColumn('model_id', 'varchar(40)', c => c.notNull().references('logged_models.model_id').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', c => c.notNull())
        .addColumn('value', 'text', c => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['model_id', 'key'])
        .execute();
    }
    await db.schema
      .createTable('logged_model_artifacts')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('logged_models.model_id').onDelete('cascade'))
      .addColumn('path', 'varchar(1000)', c => c.notNull())
      .addColumn('hash', 'varchar(80)', c => c.notNull())
      .addColumn('size', 'bigint', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addPrimaryKeyConstraint('logged_model_artifacts_pk', ['model_id', 'path'])
      .execute();
    await db.schema
      .createTable('run_model_outputs')
      .ifNotExists()
      .addColumn('run_uuid', 'varchar(32)', c => c.notNull().references('tracked_runs.run_uuid').onDelete('cascade'))
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('logged_models.model_id').onDelete('cascade'))
      .addColumn('step', 'bigint', c => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('run_model_outputs_pk', ['run_uuid', 'model_id'])
      .execute();
  }
};
