import type { Migration } from '../store/migrations';

/**
 * Migration 7: datasets, versions, tags, shares, lineage, blinding approvals.
 * Sizes are bigint (Postgres returns them as strings: queries convert with Number()).
 * `ifNotExists` everywhere: test suites that reset a database run it again.
 */
export const datasetsMigration: Migration = {
  version: 7,
  name: 'datasets',
  async up(db) {
    await db.schema
      .createTable('datasets')
      .ifNotExists()
      .addColumn('id', 'varchar(40)', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('name', 'varchar(128)', c => c.notNull())
      .addColumn('description', 'text', c => c.notNull().defaultTo(''))
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addColumn('updated_at', 'varchar(40)', c => c.notNull())
      .addUniqueConstraint('datasets_owner_name', ['owner', 'name'])
      .execute();
    await db.schema
      .createTable('dataset_versions')
      .ifNotExists()
      .addColumn('id', 'varchar(12)', c => c.primaryKey())
      .addColumn('dataset_id', 'varchar(40)', c => c.notNull().references('datasets.id').onDelete('cascade'))
      .addColumn('seq', 'integer', c => c.notNull())
      .addColumn('kind', 'varchar(10)', c => c.notNull())
      .addColumn('md5', 'varchar(40)', c => c.notNull())
      .addColumn('message', 'text', c => c.notNull())
      .addColumn('author', 'varchar(64)', c => c.notNull())
      .addColumn('parents', 'text', c => c.notNull())
      .addColumn('files', 'bigint', c => c.notNull())
      .addColumn('bytes', 'bigint', c => c.notNull())
      .addColumn('blinded', 'integer', c => c.notNull().defaultTo(0))
      .addColumn('source_path', 'text')
      .addColumn('table_meta', 'text')
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addUniqueConstraint('dataset_versions_seq', ['dataset_id', 'seq'])
      .execute();
    await db.schema.createIndex('dataset_versions_md5').ifNotExists().on('dataset_versions').column('md5').execute();
    await db.schema
      .createTable('dataset_tags')
      .ifNotExists()
      .addColumn('dataset_id', 'varchar(40)', c => c.notNull().references('datasets.id').onDelete('cascade'))
      .addColumn('tag', 'varchar(64)', c => c.notNull())
      .addColumn('version_id', 'varchar(12)', c => c.notNull().references('dataset_versions.id').onDelete('cascade'))
      .addColumn('updated_by', 'varchar(64)', c => c.notNull())
      .addColumn('updated_at', 'varchar(40)', c => c.notNull())
      .addPrimaryKeyConstraint('dataset_tags_pk', ['dataset_id', 'tag'])
      .execute();
    await db.schema
      .createTable('dataset_shares')
      .ifNotExists()
      .addColumn('dataset_id', 'varchar(40)', c => c.notNull().references('datasets.id').onDelete('cascade'))
      .addColumn('user', 'varchar(64)', c => c.notNull())
      .addPrimaryKeyConstraint('dataset_shares_pk', ['dataset_id', 'user'])
      .execute();
    await db.schema.createIndex('dataset_shares_user').ifNotExists().on('dataset_shares').column('user').execute();
    // Which runs read (input) or produced (output) which versions (filled by datasets/runs/).
    await db.schema
      .createTable('dataset_lineage')
      .ifNotExists()
      .addColumn('version_id', 'varchar(12)', c => c.notNull().references('dataset_versions.id').onDelete('cascade'))
      .addColumn('run_id', 'varchar(40)', c => c.notNull())
      .addColumn('step', 'varchar(64)', c => c.notNull())
      .addColumn('direction', 'varchar(10)', c => c.notNull())
      .addColumn('input', 'varchar(64)', c => c.notNull().defaultTo(''))
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addPrimaryKeyConstraint('dataset_lineage_pk', ['version_id', 'run_id', 'step', 'direction', 'input'])
      .execute();
    await db.schema.createIndex('dataset_lineage_run').ifNotExists().on('dataset_lineage').column('run_id').execute();
    // An admin's approval for one evaluation step to mount a blinded version (datasets/runs/).
    await db.schema
      .createTable('dataset_approvals')
      .ifNotExists()
      .addColumn('id', 'varchar(40)', c => c.primaryKey())
      .addColumn('version_id', 'varchar(12)', c => c.notNull().references('dataset_versions.id').onDelete('cascade'))
      .addColumn('requested_by', 'varchar(64)', c => c.notNull())
      .addColumn('approved_by', 'varchar(64)')
      .addColumn('run_id', 'varchar(40)')
      .addColumn('step', 'varchar(64)')
      .addColumn('spec', 'text', c => c.notNull().defaultTo('{}'))
      .addColumn('status', 'varchar(20)', c => c.notNull())
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addColumn('decided_at', 'varchar(40)')
      .execute();
    await db.schema.createIndex('dataset_approvals_version').ifNotExists().on('dataset_approvals').column('version_id').execute();
  }
};
