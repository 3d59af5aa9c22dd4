/**
 * Table shapes as kysely sees them. Timestamps are ISO-8601 strings and booleans are 0/1
 * integers in both SQLite and Postgres, so the same queries run on both.
 * A feature that needs a table adds its interface here and a migration in migrations.ts.
 */
export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface UsersTable {
  name: string;
  admin: number;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  user: string;
  name: string;
  hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface Database {
  schema_version: SchemaVersionTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
}
