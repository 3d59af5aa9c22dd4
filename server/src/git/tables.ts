/** Tables of the git feature (git/migration.ts creates them), merged into `Database`. */
export interface GitTables {
  git_credentials: GitCredentialsTable;
}

/**
 * HTTP(S) credentials of one user for one remote URL. The secret is encrypted (AES-256-GCM with a
 * key file under the data dir) and never leaves the server.
 */
export interface GitCredentialsTable {
  owner: string;
  url: string;
  username: string;
  secret: string;
  updated_at: string;
}
