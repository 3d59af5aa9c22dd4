/**
 * Tables of the model registry (models/migration.ts creates them).
 * Merged into the store's `Database` interface (store/database.ts).
 * Times are MLflow's milliseconds since the epoch (bigint: Postgres answers them as strings, so
 * readers go through `Number()`); booleans are 0/1.
 */

/** A registered model. Names are unique per owner; versions point at `id`, so a rename is one row. */
export interface RegisteredModelsTable {
  id: string;
  owner: string;
  name: string;
  description: string;
  creation_timestamp: number | string;
  last_updated_timestamp: number | string;
}

/** Who else may read a registered model (`user = "*"`: everyone), like experiment shares. */
export interface RegisteredModelSharesTable {
  model_id: string;
  user: string;
}

export interface RegisteredModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

/** A version of a model; numbers are never reused, a deleted version keeps its row (`deleted = 1`). */
export interface ModelVersionsTable {
  model_id: string;
  version: number;
  source: string;
  run_id: string;
  run_link: string;
  /** The MLflow 3 logged model the version came from, or ''. */
  logged_model_id: string;
  status: string;
  status_message: string;
  current_stage: string;
  description: string;
  user_id: string;
  creation_timestamp: number | string;
  last_updated_timestamp: number | string;
  deleted: number;
}

export interface ModelVersionTagsTable {
  model_id: string;
  version: number;
  key: string;
  value: string;
}

/** An alias (`champion`, `candidate`) names one version of a model. */
export interface RegisteredModelAliasesTable {
  model_id: string;
  alias: string;
  version: number;
}

export interface ModelTables {
  registered_models: RegisteredModelsTable;
  registered_model_shares: RegisteredModelSharesTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
}
