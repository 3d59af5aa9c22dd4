/**
 * Tables of the model registry (models/migration.ts creates them).
 * Merged into the store's `Database` interface (store/database.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModelTables {}
