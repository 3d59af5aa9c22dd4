import type { Migration } from '../store/migrations';

/** Migration 4: experiments, tracked runs, params, metrics, tags, inputs, artifacts, step tokens. */
export const trackingMigration: Migration = {
  version: 4,
  name: 'experiment tracking',
  async up() {
    // Filled in by the tracking module.
  }
};
