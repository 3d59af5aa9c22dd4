import type { Migration } from '../store/migrations';

/** Migration 8: git remote credentials kept server-side, per user and remote URL. */
export const gitMigration: Migration = {
  version: 8,
  name: 'git',
  async up(db) {
    await db.schema
      .createTable('git_credentials')
      .ifNotExists()
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('url', 'varchar(2048)', c => c.notNull())
      .addColumn('username', 'varchar(256)', c => c.notNull())
      .addColumn('secret', 'text', c => c.notNull())
      .addColumn('updated_at', 'varchar(40)', c => c.notNull())
      .addPrimaryKeyConstraint('git_credentials_pk', ['owner', 'url'])
      .execute();
  }
};
