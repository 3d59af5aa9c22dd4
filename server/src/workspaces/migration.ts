import type { Migration } from '../store/migrations';

/**
 * Migration 10: managed workspaces (docs/dev/workspaces-contract.md). One row per workspace;
 * `ifNotExists`: suites that reset a database run it again.
 */
export const workspacesMigration: Migration = {
  version: 10,
  name: 'workspaces',
  async up(db) {
    await db.schema
      .createTable('workspaces')
      .ifNotExists()
      .addColumn('id', 'varchar(12)', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('name', 'varchar(64)', c => c.notNull())
      .addColumn('image', 'varchar(300)', c => c.notNull())
      .addColumn('image_digest', 'varchar(100)')
      .addColumn('profile', 'varchar(64)', c => c.notNull())
      .addColumn('status', 'varchar(16)', c => c.notNull())
      .addColumn('container_id', 'varchar(80)')
      .addColumn('volume', 'varchar(128)', c => c.notNull())
      .addColumn('network', 'varchar(128)', c => c.notNull())
      .addColumn('token_hash', 'varchar(64)')
      .addColumn('idle_seconds', 'integer', c => c.notNull())
      .addColumn('run_seconds', 'double precision', c => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addColumn('started_at', 'varchar(40)')
      .addColumn('stopped_at', 'varchar(40)')
      .addColumn('last_activity_at', 'varchar(40)')
      .addColumn('error', 'text')
      .addUniqueConstraint('workspaces_owner_name', ['owner', 'name'])
      .execute();
  }
};
