import type { Migration } from '../store/migrations';

/**
 * Migration 9: the component registry. One row per published version (immutable: no update
 * path); `namespace` is `users/<owner>` or `shared`. `ifNotExists`: suites that reset a database
 * run it again.
 */
export const componentsMigration: Migration = {
  version: 9,
  name: 'components',
  async up(db) {
    await db.schema
      .createTable('component_versions')
      .ifNotExists()
      .addColumn('namespace', 'varchar(80)', c => c.notNull())
      .addColumn('name', 'varchar(64)', c => c.notNull())
      .addColumn('version', 'varchar(64)', c => c.notNull())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('spec', 'text', c => c.notNull())
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addPrimaryKeyConstraint('component_versions_pk', ['namespace', 'name', 'version'])
      .execute();
    // Who else reads a users/<owner>/<name> component ('*' = everyone), as models/experiments shares.
    await db.schema
      .createTable('component_shares')
      .ifNotExists()
      .addColumn('namespace', 'varchar(80)', c => c.notNull())
      .addColumn('name', 'varchar(64)', c => c.notNull())
      .addColumn('grantee', 'varchar(64)', c => c.notNull())
      .addPrimaryKeyConstraint('component_shares_pk', ['namespace', 'name', 'grantee'])
      .execute();
  }
};
