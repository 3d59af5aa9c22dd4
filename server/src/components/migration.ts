import type { Migration } from '../store/migrations';

/** Migration 9: the component registry (published component versions, shares). */
export const componentsMigration: Migration = {
  version: 9,
  name: 'components',
  async up(_db) {}
};
