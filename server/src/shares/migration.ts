import type { Migration } from '../store/migrations';

/**
 * Migration 11: share links (only a sha256 of each code is stored) and their grants (who redeemed
 * a link, when, how often). `ifNotExists` everywhere: suites that reset a database run it again.
 */
export const sharesMigration: Migration = {
  version: 11,
  name: 'share links',
  async up(db) {
    await db.schema
      .createTable('share_links')
      .ifNotExists()
      .addColumn('id', 'varchar(12)', c => c.primaryKey())
      .addColumn('owner', 'varchar(64)', c => c.notNull())
      .addColumn('kind', 'varchar(16)', c => c.notNull())
      .addColumn('target', 'text', c => c.notNull())
      .addColumn('target_key', 'varchar(512)', c => c.notNull())
      .addColumn('scope', 'varchar(16)', c => c.notNull())
      .addColumn('secret_hash', 'varchar(64)', c => c.notNull().unique())
      .addColumn('expires_at', 'varchar(40)', c => c.notNull())
      .addColumn('revoked_at', 'varchar(40)')
      .addColumn('created_at', 'varchar(40)', c => c.notNull())
      .addColumn('uses', 'integer', c => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('share_links_owner').ifNotExists().on('share_links').columns(['owner', 'kind']).execute();
    await db.schema.createIndex('share_links_target').ifNotExists().on('share_links').columns(['kind', 'target_key']).execute();
    await db.schema
      .createTable('share_grants')
      .ifNotExists()
      .addColumn('link_id', 'varchar(12)', c => c.notNull().references('share_links.id').onDelete('cascade'))
      .addColumn('user', 'varchar(64)', c => c.notNull())
      .addColumn('first_used_at', 'varchar(40)', c => c.notNull())
      .addColumn('last_used_at', 'varchar(40)', c => c.notNull())
      .addColumn('uses', 'integer', c => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('share_grants_pk', ['link_id', 'user'])
      .execute();
    await db.schema.createIndex('share_grants_user').ifNotExists().on('share_grants').column('user').execute();
  }
};
