import type { Migration } from '../store/migrations';

/**
 * Migration 5: registered models, their shares and tags, model versions and their tags, aliases.
 * `ifNotExists`: test suites that reset a shared database drop only their own tables.
 */
export const modelsMigration: Migration = {
  version: 5,
  name: 'model registry',
  async up(db) {
    await db.schema
      .createTable('registered_models')
      .ifNotExists()
      .addColumn('id', 'varchar(40)', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('name', 'varchar(256)', c => c.notNull())
      .addColumn('description', 'text', c => c.notNull().defaultTo(''))
      .addColumn('creation_timestamp', 'bigint', c => c.notNull())
      .addColumn('last_updated_timestamp', 'bigint', c => c.notNull())
      .addUniqueConstraint('registered_models_owner_name', ['owner', 'name'])
      .execute();
    await db.schema.createIndex('registered_models_name').ifNotExists().on('registered_models').column('name').execute();
    await db.schema
      .createTable('registered_model_shares')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('user', 'varchar(64)', c => c.notNull())
      .addPrimaryKeyConstraint('registered_model_shares_pk', ['model_id', 'user'])
      .execute();
    await db.schema.createIndex('registered_model_shares_user').ifNotExists().on('registered_model_shares').column('user').execute();
    await db.schema
      .createTable('registered_model_tags')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addColumn('value', 'text', c => c.notNull())
      .addPrimaryKeyConstraint('registered_model_tags_pk', ['model_id', 'key'])
      .execute();
    await db.schema
      .createTable('model_versions')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('version', 'integer', c => c.notNull())
      .addColumn('source', 'text', c => c.notNull())
      .addColumn('run_id', 'varchar(32)', c => c.notNull().defaultTo(''))
      .addColumn('run_link', 'text', c => c.notNull().defaultTo(''))
      .addColumn('logged_model_id', 'varchar(64)', c => c.notNull().defaultTo(''))
      .addColumn('status', 'varchar(32)', c => c.notNull())
      .addColumn('status_message', 'text', c => c.notNull().defaultTo(''))
      .addColumn('current_stage', 'varchar(20)', c => c.notNull().defaultTo('None'))
      .addColumn('description', 'text', c => c.notNull().defaultTo(''))
      .addColumn('user_id', 'varchar(64)', c => c.notNull())
      .addColumn('creation_timestamp', 'bigint', c => c.notNull())
      .addColumn('last_updated_timestamp', 'bigint', c => c.notNull())
      .addColumn('deleted', 'integer', c => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('model_versions_pk', ['model_id', 'version'])
      .execute();
    await db.schema.createIndex('model_versions_run').ifNotExists().on('model_versions').column('run_id').execute();
    await db.schema
      .createTable('model_version_tags')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull())
      .addColumn('version', 'integer', c => c.notNull())
      .addColumn('key', 'varchar(250)', c => c.notNull())
      .addColumn('value', 'text', c => c.notNull())
      .addPrimaryKeyConstraint('model_version_tags_pk', ['model_id', 'version', 'key'])
      .addForeignKeyConstraint('model_version_tags_version', ['model_id', 'version'], 'model_versions', ['model_id', 'version'], c =>
        c.onDelete('cascade')
      )
      .execute();
    await db.schema
      .createTable('registered_model_aliases')
      .ifNotExists()
      .addColumn('model_id', 'varchar(40)', c => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('alias', 'varchar(256)', c => c.notNull())
      .addColumn('version', 'integer', c => c.notNull())
      .addPrimaryKeyConstraint('registered_model_aliases_pk', ['model_id', 'alias'])
      .execute();
  }
};
