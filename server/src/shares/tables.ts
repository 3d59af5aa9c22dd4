/** Tables of share links (shares/migration.ts creates them), merged into `Database`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ShareTables {}
