import type { Migration } from '../store/migrations';

/** Migration 10: managed workspaces. */
export const workspacesMigration: Migration = {
  version: 10,
  name: 'workspaces',
  async up(_db) {}
};
