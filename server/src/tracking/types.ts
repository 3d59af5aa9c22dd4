/** MLflow's entities as its REST API answers them (snake_case, times in ms). */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export type LifecycleStage = 'active' | 'deleted';

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  tags: { key: string; value: string }[];
}

export interface MlflowRunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

/** NaN travels as the string "NaN" (protobuf JSON). */
export type MetricJsonValue = number | 'NaN';

export interface MlflowMetric {
  key: string;
  value: MetricJsonValue;
  timestamp: number;
  step: number;
}

export interface MlflowDatasetInput {
  tags: { key: string; value: string }[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics: MlflowMetric[]; params: { key: string; value: string }[]; tags: { key: string; value: string }[] };
  inputs: { dataset_inputs: MlflowDatasetInput[] };
}

/** Who is asking: a user, or a step container restricted to writing its own run. */
export interface Caller {
  user: string;
  /** Set for step tokens: the only run this caller may write. */
  onlyRun?: string;
}

export type Access = 'owner' | 'shared' | 'own-runs';
