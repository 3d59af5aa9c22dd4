import type { Migration } from '../store/migrations';

/** Migration 5: registered models, model versions, aliases and tags. */
export const modelsMigration: Migration = {
  version: 5,
  name: 'model registry',
  async up() {
    // Filled in by the models module.
  }
};
