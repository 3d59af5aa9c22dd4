import { randomBytes } from 'node:crypto';
import type { AccessRules, ExperimentRow } from '../access';
import { checkExperimentId, checkKeyValue, LIMITS, noNul } from '../limits';
import { MlflowError } from '../mlflow/errors';
import { num, type Sql } from '../sql';
import type { Caller } from '../types';

export const STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const;
export type LoggedModelStatus = (typeof STATUSES)[number];

export interface LoggedModelRow {
  model_id: string;
  experiment_id: number;
  owner: string;
  name: string;
  artifact_location: string;
  status: string;
  status_message: string;
  model_type: string;
  source_run_id: string;
  lifecycle_stage: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
}

/** MLflow's `LoggedModel` JSON (mlflow/protos/service.proto). */
export interface MlflowLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: string;
    status_message?: string;
    model_type?: string;
    source_run_id?: string;
    tags: { key: string; value: string }[];
    registrations: { name: string; version: string }[];
  };
  data: { params: { key: string; value: string }[]; metrics: unknown[] };
}

const MODEL_ID = /^m-[0-9a-f]{32}$/;
/** MLflow's tag listing the registered versions made from a logged model (mlflow/utils/mlflow_tags.py). */
export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
const NAME_LIMIT = 500;

export function toRow(r: Record<string, unknown>): LoggedModelRow {
  return {
    model_id: r.model_id as string,
    experiment_id: num(r.experiment_id),
    owner: r.owner as string,
    name: r.name as string,
    artifact_location: r.artifact_location as string,
    status: r.status as string,
    status_message: (r.status_message as string) ?? '',
    model_type: (r.model_type as string) ?? '',
    source_run_id: (r.source_run_id as string) ?? '',
    lifecycle_stage: r.lifecycle_stage as string,
    creation_timestamp_ms: num(r.creation_timestamp_ms),
    last_updated_timestamp_ms: num(r.last_updated_timestamp_ms)
  };
}

/** A status as the client sends it: the enum's name, or its number. */
export function statusOf(value: unknown): LoggedModelStatus {
  const byNumber: Record<number, LoggedModelStatus> = { 1: 'LOGGED_MODEL_PENDING', 2: 'LOGGED_MODEL_READY', 3: 'LOGGED_MODEL_UPLOAD_FAILED' };
  const found = typeof value === 'number' ? byNumber[value] : STATUSES.find(s => s === value);
  if (!found) throw MlflowError.invalid(`Invalid value ${JSON.stringify(value ?? null)} for parameter 'status': one of ${STATUSES.join(', ')}.`);
  return found;
}

export function checkModelId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw MlflowError.invalid("Missing value for required parameter 'model_id'.");
  // Not one of ours: it cannot exist.
  if (!MODEL_ID.test(id)) throw MlflowError.notFound(`Logged model with ID '${id.slice(0, 80)}' not found.`);
  return id;
}

function list(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw MlflowError.invalid(`Invalid value for parameter '${name}': it must be a list`);
  if (value.length > LIMITS.paramsTagsPerBatch) throw MlflowError.invalid(`At most ${LIMITS.paramsTagsPerBatch} ${name} per request`);
  return value;
}

function optionalText(value: unknown, name: string, limit: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw MlflowError.invalid(`Invalid value for parameter '${name}': it must be a string`);
  if (value.length > limit) throw MlflowError.invalid(`'${name}' exceeds ${limit} characters`);
  return noNul(value, name);
}

/**
 * MLflow 3 logged models: created in an experiment the caller may write, read under the
 * experiment's rules (a run's rules: own, or the whole experiment when owned or shared; 404
 * otherwise), written by their creator or the experiment's owner. A step token writes only the
 * models of its own run.
 */
export class LoggedModels {
  constructor(
    readonly sql: Sql,
    private readonly access: AccessRules,
    private readonly clock: () => number = Date.now
  ) {}

  async row(modelId: string): Promise<LoggedModelRow | undefined> {
    const rows = await this.sql.all('select * from logged_models where model_id = ?', [modelId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** The model if `user` may read it (deleted ones only with `allowDeleted`); 404 otherwise. */
  async readable(user: string, id: unknown, allowDeleted = false): Promise<{ model: LoggedModelRow; exp: ExperimentRow; write: boolean }> {
    const modelId = checkModelId(id);
    const notFound = MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    const model = await this.row(modelId);
    if (!model || (model.lifecycle_stage !== 'active' && !allowDeleted)) throw notFound;
    const exp = await this.access.experiment(model.experiment_id);
    if (!exp) throw notFound;
    if (model.owner === user) return { model, exp, write: true };
    const access = await this.access.experimentAccess(user, exp);
    if (access === 'owner') return { model, exp, write: true };
    if (access === 'shared') return { model, exp, write: false };
    throw notFound;
  }

  /** A live model the caller may write: 404 when invisible, 403 when read-only or outside a step token's run. */
  async writable(caller: Caller, id: unknown): Promise<LoggedModelRow> {
    const { model, write } = await this.readable(caller.user, id);
    if (!write || (caller.onlyRun !== undefined && caller.onlyRun !== model.source_run_id)) {
      throw new MlflowError('PERMISSION_DENIED', `Permission denied to write logged model ${model.model_id}`);
    }
    return model;
  }

  async create(caller: Caller, body: Record<string, unknown>): Promise<LoggedModelRow> {
    const experimentId = checkExperimentId(body.experiment_id);
    const { exp, access } = await this.access.visibleExperiment(caller.user, experimentId);
    if (access === 'shared') throw new MlflowError('PERMISSION_DENIED', `Permission denied to log models in experiment ${experimentId}`);
    if (exp.lifecycle_stage !== 'active') throw MlflowError.invalid(`The experiment ${experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
    const sourceRunId = optionalText(body.source_run_id, 'source_run_id', 32);
    if (sourceRunId) {
      const { run } = await this.access.writableRun(caller, sourceRunId);
      if (run.experiment_id !== experimentId) throw MlflowError.invalid(`Run ${sourceRunId} is not in experiment ${experimentId}.`);
    } else if (caller.onlyRun !== undefined) {
      throw new MlflowError('PERMISSION_DENIED', 'A step token may only log models of its own run');
    }
    const id = `m-${randomBytes(16).toString('hex')}`;
    const name = optionalText(body.name, 'name', NAME_LIMIT) || `model-${id.slice(2, 10)}`;
    const tags = list(body.tags, 'tags').map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.tagValue));
    const params = list(body.params, 'params').map((p, i) => checkKeyValue(p, `params[${i}]`, LIMITS.paramValue));
    const now = this.clock();
    const row: LoggedModelRow = {
      model_id: id,
      experiment_id: experimentId,
      owner: caller.user,
      name,
      artifact_location: `mlflow-artifacts:/${experimentId}/models/${id}/artifacts`,
      status: 'LOGGED_MODEL_PENDING',
      status_message: '',
      model_type: optionalText(body.model_type, 'model_type', NAME_LIMIT),
      source_run_id: sourceRunId,
      lifecycle_stage: 'active',
      creation_timestamp_ms: now,
      last_updated_timestamp_ms: now
    };
    await this.sql.tx(async sql => {
      await sql.run(
        'insert into logged_models (model_id, experiment_id, owner, name, artifact_location, status, status_message, model_type, source_run_id, lifecycle_stage, creation_timestamp_ms, last_updated_timestamp_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [row.model_id, row.experiment_id, row.owner, row.name, row.artifact_location, row.status, row.status_message, row.model_type, row.source_run_id, row.lifecycle_stage, now, now]
      );
      for (const t of tags) await sql.run('insert into logged_model_tags (model_id, key, value) values (?, ?, ?) on conflict (model_id, key) do update set value = excluded.value', [id, t.key, t.value]);
      await this.insertParams(sql, id, params);
    });
    return row;
  }

  /** Params are write-once: the same value again is fine, another value is refused. */
  private async insertParams(sql: Sql, id: string, params: { key: string; value: string }[]): Promise<void> {
    for (const p of params) {
      const old = await sql.all<{ value: string }>('select value from logged_model_params where model_id = ? and key = ?', [id, p.key]);
      if (old[0] && old[0].value !== p.value) {
        throw MlflowError.invalid(`Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old[0].value}' for logged model ID='${id}'. Attempted logging new value '${p.value}'.`);
      }
      if (!old[0]) await sql.run('insert into logged_model_params (model_id, key, value) values (?, ?, ?)', [id, p.key, p.value]);
    }
  }

  private async touch(sql: Sql, id: string): Promise<void> {
    await sql.run('update logged_models set last_updated_timestamp_ms = ? where model_id = ?', [this.clock(), id]);
  }

  async logParams(caller: Caller, id: unknown, raw: unknown): Promise<void> {
    const model = await this.writable(caller, id);
    const params = list(raw, 'params').map((p, i) => checkKeyValue(p, `params[${i}]`, LIMITS.paramValue));
    await this.sql.tx(async sql => {
      await this.insertParams(sql, model.model_id, params);
      await this.touch(sql, model.model_id);
    });
  }

  /**
   * `mlflow.modelVersions` is the server's (recordRegistration): the client's fluent
   * `register_model` writes it again after registering, also as a reader of the model, so such a
   * write needs only read access and leaves the server's list as it is.
   */
  async setTags(caller: Caller, id: unknown, raw: unknown): Promise<void> {
    const tags = list(raw, 'tags')
      .map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.tagValue))
      .filter(t => t.key !== MODEL_VERSIONS_TAG);
    if (!tags.length) {
      await this.readable(caller.user, id);
      return;
    }
    const model = await this.writable(caller, id);
    await this.sql.tx(async sql => {
      for (const t of tags) {
        await sql.run('insert into logged_model_tags (model_id, key, value) values (?, ?, ?) on conflict (model_id, key) do update set value = excluded.value', [model.model_id, t.key, t.value]);
      }
      await this.touch(sql, model.model_id);
    });
  }

  async deleteTag(caller: Caller, id: unknown, key: string): Promise<void> {
    const model = await this.writable(caller, id);
    const n = await this.sql.run('delete from logged_model_tags where model_id = ? and key = ?', [model.model_id, key]);
    if (!n) throw MlflowError.notFound(`No tag with key '${key}' on logged model ${model.model_id}.`);
  }

  async finalize(caller: Caller, id: unknown, status: unknown): Promise<LoggedModelRow> {
    const model = await this.writable(caller, id);
    const next = statusOf(status);
    await this.sql.run('update logged_models set status = ?, last_updated_timestamp_ms = ? where model_id = ?', [next, this.clock(), model.model_id]);
    return (await this.row(model.model_id))!;
  }

  /** Soft delete (MLflow keeps it for `allow_deleted`); its files stay until the model is purged. */
  async delete(caller: Caller, id: unknown): Promise<void> {
    const model = await this.writable(caller, id);
    await this.sql.run("update logged_models set lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? where model_id = ?", [this.clock(), model.model_id]);
  }

  /**
   * A registered model version was made from the model: recorded in its `mlflow.modelVersions`
   * tag (a JSON list of `{name, version}`), as MLflow's server does. The registry checked access.
   */
  async recordRegistration(modelId: string, name: string, version: string): Promise<void> {
    await this.sql.tx(async sql => {
      const rows = await sql.all<{ value: string }>('select value from logged_model_tags where model_id = ? and key = ?', [modelId, MODEL_VERSIONS_TAG]);
      let list: { name: string; version: string }[] = [];
      try {
        const parsed: unknown = rows[0] ? JSON.parse(rows[0].value) : [];
        if (Array.isArray(parsed)) list = parsed as { name: string; version: string }[];
      } catch {
        // A hand-set tag that is not JSON is replaced.
      }
      if (!list.some(v => v?.name === name && v?.version === version)) list.push({ name, version });
      await sql.run('insert into logged_model_tags (model_id, key, value) values (?, ?, ?) on conflict (model_id, key) do update set value = excluded.value', [
        modelId,
        MODEL_VERSIONS_TAG,
        JSON.stringify(list)
      ]);
    });
  }

  /** `runs/outputs`: the run (written by the caller) produced these models of its experiment. */
  async logOutputs(caller: Caller, runUuid: string, raw: unknown): Promise<void> {
    const { run } = await this.access.writableRun(caller, runUuid);
    const outputs = list(raw, 'models').map((m, i) => {
      const o = (m ?? {}) as Record<string, unknown>;
      const step = o.step === undefined || o.step === null ? 0 : Number(o.step);
      if (!Number.isSafeInteger(step)) throw MlflowError.invalid(`Invalid value for parameter 'models[${i}].step'`);
      return { modelId: checkModelId(o.model_id), step };
    });
    for (const o of outputs) {
      const { model } = await this.readable(caller.user, o.modelId);
      if (model.experiment_id !== run.experiment_id) throw MlflowError.invalid(`Logged model ${o.modelId} is not in the experiment of run ${runUuid}.`);
    }
    await this.sql.tx(async sql => {
      for (const o of outputs) {
        await sql.run('insert into run_model_outputs (run_uuid, model_id, step) values (?, ?, ?) on conflict (run_uuid, model_id) do update set step = excluded.step', [runUuid, o.modelId, o.step]);
      }
    });
  }

  async outputsOf(runUuid: string): Promise<{ model_id: string; step: number }[]> {
    const rows = await this.sql.all('select model_id, step from run_model_outputs where run_uuid = ? order by model_id', [runUuid]);
    return rows.map(r => ({ model_id: r.model_id as string, step: num(r.step) }));
  }

  /** Models in MLflow's JSON, with tags and params (registrations are the registry's: listed there). */
  async toMlflow(models: LoggedModelRow[]): Promise<MlflowLoggedModel[]> {
    if (!models.length) return [];
    const ids = models.map(m => m.model_id);
    const marks = ids.map(() => '?').join(', ');
    const [tags, params] = await Promise.all([
      this.sql.all<{ model_id: string; key: string; value: string }>(`select model_id, key, value from logged_model_tags where model_id in (${marks}) order by key`, ids),
      this.sql.all<{ model_id: string; key: string; value: string }>(`select model_id, key, value from logged_model_params where model_id in (${marks}) order by key`, ids)
    ]);
    return models.map(m => ({
      info: {
        model_id: m.model_id,
        experiment_id: String(m.experiment_id),
        name: m.name,
        creation_timestamp_ms: m.creation_timestamp_ms,
        last_updated_timestamp_ms: m.last_updated_timestamp_ms,
        artifact_uri: m.artifact_location,
        status: m.status,
        ...(m.status_message ? { status_message: m.status_message } : {}),
        ...(m.model_type ? { model_type: m.model_type } : {}),
        ...(m.source_run_id ? { source_run_id: m.source_run_id } : {}),
        tags: tags.filter(t => t.model_id === m.model_id).map(t => ({ key: t.key, value: t.value })),
        registrations: []
      },
      data: { params: params.filter(p => p.model_id === m.model_id).map(p => ({ key: p.key, value: p.value })), metrics: [] }
    }));
  }

  async one(model: LoggedModelRow): Promise<MlflowLoggedModel> {
    return (await this.toMlflow([model]))[0];
  }
}
