import type { Migration } from '../store/migrations';

/** Migration 11: share links, their grants and uses. */
export const sharesMigration: Migration = {
  version: 11,
  name: 'share links',
  async up(_db) {}
};
