/**
 * Tables of MLflow 3 logged models (loggedModels/migration.ts creates them), merged into the
 * store's `Database` interface. Times are ms since epoch in bigint columns.
 */

/** A model logged into an experiment (`m-<32 hex>`), its files under `logged_model_artifacts`. */
export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  /** Who created it: they (and the experiment's owner) may write it. */
  owner: string;
  name: string;
  artifact_location: string;
  /** LOGGED_MODEL_PENDING | LOGGED_MODEL_READY | LOGGED_MODEL_UPLOAD_FAILED */
  status: string;
  status_message: string;
  model_type: string;
  /** The run that produced it, or "". */
  source_run_id: string;
  /** active | deleted (soft delete, as MLflow). */
  lifecycle_stage: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
}

export interface LoggedModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

/** Params are write-once per key, like a run's. */
export interface LoggedModelParamsTable {
  model_id: string;
  key: string;
  value: string;
}

/** Files of a logged model by name: bytes live in the content-addressed ArtifactStore. */
export interface LoggedModelArtifactsTable {
  model_id: string;
  /** Relative to the model's artifact root, "/"-separated. */
  path: string;
  hash: string;
  size: number;
  created_at: number;
}

/** `runs/outputs`: models a run produced, at a step. */
export interface RunModelOutputsTable {
  run_uuid: string;
  model_id: string;
  step: number;
}

export interface LoggedModelTables {
  logged_models: LoggedModelsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_artifacts: LoggedModelArtifactsTable;
  run_model_outputs: RunModelOutputsTable;
}
