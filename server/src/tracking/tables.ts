/**
 * Tables of the experiment tracking feature (tracking/migration.ts creates them).
 * Merged into the store's `Database` interface (store/database.ts). Times are ms since epoch
 * (MLflow's unit) in bigint columns; booleans are 0/1.
 */

export interface ExperimentsTable {
  /** Decimal experiment id; 0 is "Default". */
  experiment_id: number;
  /** Owner's user name; "" for Default. Names are unique per owner. */
  owner: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

/** `user = "*"`: shared with everyone. */
export interface ExperimentSharesTable {
  experiment_id: number;
  user: string;
}

export interface TrackedRunsTable {
  run_uuid: string;
  experiment_id: number;
  owner: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
  /** The Conveyor pipeline run and step that produced it; null for client-created runs. */
  conveyor_run_id: string | null;
  step: string | null;
}

export interface RunParamsTable {
  run_uuid: string;
  key: string;
  value: string;
}

export interface RunTagsTable {
  run_uuid: string;
  key: string;
  value: string;
}

/** Every logged value. NaN is stored as value 0 with is_nan 1, ±Inf as ±DBL_MAX (MLflow's rule). */
export interface MetricHistoryTable {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

/** One row per (run, key): the latest value (max by step, timestamp, value) and min/max/count. */
export interface LatestMetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
  min_value: number | null;
  max_value: number | null;
  count: number;
}

/** Keys used per experiment and run owner (kind: param | metric | tag), for column pickers. */
export interface TrackingKeysTable {
  experiment_id: number;
  owner: string;
  kind: string;
  key: string;
}

/** Datasets logged with log-inputs. */
export interface RunInputsTable {
  run_uuid: string;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
  context: string | null;
}

export interface TrackedArtifactsTable {
  run_uuid: string;
  /** Relative to the run's artifact root, "/"-separated, no leading slash. */
  path: string;
  hash: string;
  size: number;
  created_at: number;
}

/** Per-step-attempt tokens for step containers (sha256 of the secret). */
export interface TrackingTokensTable {
  hash: string;
  owner: string;
  run_uuid: string;
  expires_at: number;
}

export interface TrackingTables {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  experiment_shares: ExperimentSharesTable;
  tracked_runs: TrackedRunsTable;
  run_params: RunParamsTable;
  run_tags: RunTagsTable;
  metric_history: MetricHistoryTable;
  latest_metrics: LatestMetricsTable;
  tracking_keys: TrackingKeysTable;
  run_inputs: RunInputsTable;
  tracked_artifacts: TrackedArtifactsTable;
  tracking_tokens: TrackingTokensTable;
}
