import type { TrackingTables } from '../tracking/tables';
import type { ModelTables } from '../models/tables';
import type { LoggedModelTables } from '../tracking/loggedModels/tables';
import type { DatasetTables } from '../datasets/tables';
import type { GitTables } from '../git/tables';
import type { ComponentTables } from '../components/tables';
import type { WorkspaceTables } from '../workspaces/tables';
import type { ShareTables } from '../shares/tables';

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

/** A run of a pipeline (runs/queries.ts). JSON columns are text; booleans 0/1. */
export interface RunsTable {
  id: string;
  owner: string;
  name: string;
  experiment: string;
  status: string;
  /** The normalized pipeline (JSON). */
  pipeline: string;
  /** Run-level params (JSON object). */
  params: string;
  /** The sweep of a parent run (JSON) or null. */
  sweep: string | null;
  /** What was submitted (JSON RunSubmit), so resume can resolve the workspace again. */
  submit: string;
  parent_id: string | null;
  resumed_from: string | null;
  cache: number;
  source_path: string | null;
  git_commit: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One step of a run. `spec` is the resolved job (image, notebook hash, files, resources…) as JSON. */
export interface StepsTable {
  run_id: string;
  name: string;
  /** Position in the pipeline, for stable ordering. */
  position: number;
  status: string;
  attempt: number;
  depends_on: string;
  spec: string;
  container_id: string | null;
  exit_code: number | null;
  oom_killed: number;
  error: string | null;
  cache_key: string | null;
  cached_from: string | null;
  image_digest: string | null;
  notebook_hash: string | null;
  executed_notebook: string | null;
  outputs: string;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface Database extends TrackingTables, ModelTables, LoggedModelTables, DatasetTables, GitTables, ComponentTables, WorkspaceTables, ShareTables {
  schema_version: SchemaVersionTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  runs: RunsTable;
  steps: StepsTable;
}
