import type { Migration } from '../store/migrations';

/** Migration 8: git remote credentials kept server-side. */
export const gitMigration: Migration = {
  version: 8,
  name: 'git',
  async up(_db) {}
};
