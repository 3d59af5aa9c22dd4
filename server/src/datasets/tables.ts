/** Tables of the datasets feature (datasets/migration.ts creates them), merged into `Database`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DatasetTables {}
