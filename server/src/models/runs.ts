import { MlflowError } from '../tracking/mlflow/errors';

/** What the registry reads of a tracked run (MLflow's `Run` JSON, as TrackingService.getRun answers). */
export interface TrackedRun {
  info: { run_id?: string; run_uuid?: string; experiment_id?: string; run_name?: string; artifact_uri?: string; lifecycle_stage?: string };
  data?: { metrics?: { key: string; value: number | string; timestamp?: number; step?: number }[] };
}

/** The part of TrackingService the registry uses: a visibility-checked read (404 when not visible). */
export interface RunReader {
  getRun(user: string, runUuid: string): Promise<TrackedRun>;
  /** MLflow 3 logged models (`models:/m-<id>` sources), visibility-checked (404 when not visible). */
  loggedModels?: {
    readable(user: string, id: unknown): Promise<{ model: LoggedModelRef }>;
    /** Notes on the logged model that a version was registered from it. */
    recordRegistration(modelId: string, name: string, version: string): Promise<void>;
  };
}

/** What the registry reads of a logged model. */
export interface LoggedModelRef {
  model_id: string;
  source_run_id: string;
  artifact_location: string;
}

const RUN_ID = /^[0-9a-f]{32}$/i;

function isNotFound(err: unknown): boolean {
  const e = err as { status?: number; errorCode?: string };
  return e?.errorCode === 'RESOURCE_DOES_NOT_EXIST' || e?.status === 404;
}

/** Reads runs through the tracking service; "not there" and "not yours" are the same answer. */
export class RunLookup {
  constructor(private readonly reader: RunReader) {}

  /** The run if the user may read it; RESOURCE_DOES_NOT_EXIST otherwise. */
  async require(user: string, runId: string): Promise<TrackedRun> {
    if (!RUN_ID.test(runId)) throw MlflowError.invalid(`Invalid run id '${runId}'.`);
    try {
      return await this.reader.getRun(user, runId.toLowerCase());
    } catch (err) {
      if (isNotFound(err)) throw MlflowError.notFound(`Run with id=${runId} not found`);
      throw err;
    }
  }

  /** The logged model `m-<id>` if the user may read it; RESOURCE_DOES_NOT_EXIST otherwise. */
  async loggedModel(user: string, modelId: string): Promise<LoggedModelRef> {
    if (!this.reader.loggedModels) throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    return (await this.reader.loggedModels.readable(user, modelId)).model;
  }

  /** Tells the tracking side that version `version` of `name` was registered from logged model `modelId`. */
  async recordRegistration(modelId: string, name: string, version: number): Promise<void> {
    await this.reader.loggedModels?.recordRegistration(modelId, name, String(version));
  }

  /** The run or null when it is gone or no longer visible (listing versions must not fail on it). */
  async find(user: string, runId: string): Promise<TrackedRun | null> {
    if (!runId || !RUN_ID.test(runId)) return null;
    try {
      return await this.reader.getRun(user, runId.toLowerCase());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}
