import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AccessRules, type RunRow } from './access';
import { BatchWriter, checkBatchSize, type Batch } from './logging';
import { checkKey, checkKeyValue, int64, LIMITS, noNul } from './limits';
import { MlflowError } from './mlflow/errors';
import { num, type Sql } from './sql';
import { RUN_STATUSES, type Caller, type MlflowDatasetInput, type MlflowMetric, type MlflowRun, type MlflowRunInfo, type RunStatus } from './types';

const ADJECTIVES = ['amber', 'brave', 'calm', 'deft', 'eager', 'fleet', 'glad', 'hale', 'keen', 'lucid', 'merry', 'noble', 'quick', 'sly', 'tidy', 'vivid'];
const NOUNS = ['otter', 'heron', 'lynx', 'finch', 'koala', 'moth', 'newt', 'owl', 'panda', 'quail', 'robin', 'seal', 'tapir', 'wren', 'yak', 'zebu'];

function randomName(): string {
  const [a, b, c] = randomBytes(3);
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${NOUNS[b % NOUNS.length]}-${c}`;
}

export function checkStatus(status: unknown): RunStatus {
  if (typeof status !== 'string' || !RUN_STATUSES.includes(status as RunStatus)) {
    throw MlflowError.invalid(`Invalid value ${JSON.stringify(status)} for parameter 'status' supplied.`);
  }
  return status as RunStatus;
}

export function runInfo(run: RunRow): MlflowRunInfo {
  return {
    run_id: run.run_uuid,
    run_uuid: run.run_uuid,
    run_name: run.run_name,
    experiment_id: String(run.experiment_id),
    user_id: run.owner,
    status: run.status as RunStatus,
    start_time: run.start_time,
    ...(run.end_time !== null ? { end_time: run.end_time } : {}),
    artifact_uri: run.artifact_uri,
    lifecycle_stage: run.lifecycle_stage as 'active' | 'deleted'
  };
}

export function metricJson(value: unknown, isNan: unknown): number | 'NaN' {
  return num(isNan) ? 'NaN' : num(value);
}

export interface CreateRun {
  owner: string;
  experimentId: string | number;
  name?: string;
  startTime?: number;
  tags?: { key: string; value: string }[];
  conveyorRunId?: string;
  step?: string;
  status?: RunStatus;
}

/** Tracked runs: lifecycle, logging, reading in MLflow's shape, step tokens. */
export class Runs {
  readonly writer = new BatchWriter();

  constructor(
    private readonly sql: Sql,
    private readonly access: AccessRules
  ) {}

  /** Creates a run (no access check: callers check). */
  async create(a: CreateRun): Promise<RunRow> {
    const tags = a.tags ?? [];
    const named = tags.find(t => t.key === 'mlflow.runName')?.value;
    const name = (a.name || named || randomName()).slice(0, LIMITS.runName);
    const uuid = randomUUID().replace(/-/g, '');
    const experimentId = Number(a.experimentId);
    const run: RunRow = {
      run_uuid: uuid,
      experiment_id: experimentId,
      owner: a.owner,
      run_name: name,
      status: a.status ?? 'RUNNING',
      start_time: a.startTime ?? Date.now(),
      end_time: null,
      deleted_time: null,
      lifecycle_stage: 'active',
      artifact_uri: `mlflow-artifacts:/${experimentId}/${uuid}/artifacts`,
      conveyor_run_id: a.conveyorRunId ?? null,
      step: a.step ?? null
    };
    const allTags = [...tags.filter(t => t.key !== 'mlflow.runName'), { key: 'mlflow.runName', value: name }];
    await this.sql.tx(async sql => {
      await sql.run(
        `insert into tracked_runs (run_uuid, experiment_id, owner, run_name, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri, conveyor_run_id, step)
         values (?, ?, ?, ?, ?, ?, null, null, ?, ?, ?, ?)`,
        [uuid, experimentId, run.owner, name, run.status, run.start_time, 'active', run.artifact_uri, run.conveyor_run_id, run.step]
      );
      await this.writer.write(sql, run, { tags: allTags });
    }).catch(err => {
      this.writer.forget();
      throw err;
    });
    return run;
  }

  /** MLflow create-run for a caller: Default and own experiments only, active ones. */
  async createFor(caller: Caller, body: { experiment_id?: unknown; start_time?: unknown; run_name?: unknown; tags?: unknown }): Promise<RunRow> {
    if (caller.onlyRun !== undefined) throw new MlflowError('PERMISSION_DENIED', 'A step token may only write its own run');
    const id = body.experiment_id === undefined || body.experiment_id === '' ? 0 : Number(checkExperimentIdLoose(body.experiment_id));
    const { exp, access } = await this.access.visibleExperiment(caller.user, id);
    if (access === 'shared') throw new MlflowError('PERMISSION_DENIED', `Permission denied to create runs in experiment ${id}`);
    if (exp.lifecycle_stage !== 'active') throw MlflowError.invalid(`The experiment ${id} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
    const rawTags = body.tags === undefined ? [] : body.tags;
    if (!Array.isArray(rawTags)) throw MlflowError.invalid("Invalid value for parameter 'tags': it must be a list");
    if (rawTags.length > LIMITS.paramsTagsPerBatch) throw MlflowError.invalid(`A run can be created with at most ${LIMITS.paramsTagsPerBatch} tags`);
    const tags = rawTags.map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.tagValue));
    if (body.run_name !== undefined && typeof body.run_name !== 'string') throw MlflowError.invalid("Invalid value for parameter 'run_name'");
    if (typeof body.run_name === 'string') noNul(body.run_name, 'run_name');
    return this.create({ owner: caller.user, experimentId: id, name: body.run_name as string | undefined, startTime: int64(body.start_time, 'start_time', Date.now()), tags });
  }

  private async activeWritable(caller: Caller, runUuid: string): Promise<RunRow> {
    const { run } = await this.access.writableRun(caller, runUuid);
    if (run.lifecycle_stage !== 'active') {
      throw MlflowError.invalid(`The run ${runUuid} must be in the 'active' state. Current state is ${run.lifecycle_stage}.`);
    }
    return run;
  }

  /** log-batch / log-metric / log-parameter / set-tag for a caller: checked, one transaction. */
  async logFor(caller: Caller, runUuid: string, batch: Batch): Promise<void> {
    checkBatchSize(batch);
    const run = await this.activeWritable(caller, runUuid);
    await this.logUnchecked(run, batch);
  }

  async logUnchecked(run: RunRow, batch: Batch): Promise<void> {
    await this.sql.tx(sql => this.writer.write(sql, run, batch)).catch(err => {
      this.writer.forget();
      throw err;
    });
  }

  /** logBatch by run id without an access check (integration). */
  async logBatch(runUuid: string, batch: Batch): Promise<void> {
    checkBatchSize(batch);
    const run = await this.access.run(runUuid);
    if (!run) throw MlflowError.notFound(`Run with id=${runUuid} not found`);
    await this.logUnchecked(run, batch);
  }

  async deleteTag(caller: Caller, runUuid: string, key: unknown): Promise<void> {
    const k = checkKey(key);
    await this.activeWritable(caller, runUuid);
    const changed = await this.sql.run('delete from run_tags where run_uuid = ? and key = ?', [runUuid, k]);
    if (!changed) throw MlflowError.notFound(`No tag with name: ${k} in run with id ${runUuid}`);
  }

  async update(caller: Caller, runUuid: string, body: { status?: unknown; end_time?: unknown; run_name?: unknown }): Promise<RunRow> {
    const run = await this.activeWritable(caller, runUuid);
    const status = body.status === undefined || body.status === null ? (run.status as RunStatus) : checkStatus(body.status);
    const endTime = body.end_time === undefined || body.end_time === null ? run.end_time : int64(body.end_time, 'end_time');
    let name = run.run_name;
    if (body.run_name !== undefined && body.run_name !== null && body.run_name !== '') {
      if (typeof body.run_name !== 'string') throw MlflowError.invalid("Invalid value for parameter 'run_name'");
      name = noNul(body.run_name, 'run_name').slice(0, LIMITS.runName);
    }
    await this.sql.tx(async sql => {
      await sql.run('update tracked_runs set status = ?, end_time = ?, run_name = ? where run_uuid = ?', [status, endTime, name, runUuid]);
      if (name !== run.run_name) {
        await this.writer.write(sql, run, { tags: [{ key: 'mlflow.runName', value: name }] });
      }
    }).catch(err => {
      this.writer.forget();
      throw err;
    });
    return { ...run, status, end_time: endTime, run_name: name };
  }

  async setStatus(runUuid: string, status: RunStatus, endTime?: number): Promise<void> {
    await this.sql.run('update tracked_runs set status = ?, end_time = coalesce(?, end_time) where run_uuid = ?', [status, endTime ?? null, runUuid]);
  }

  async setLifecycle(caller: Caller, runUuid: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.access.writableRun(caller, runUuid);
    await this.sql.run('update tracked_runs set lifecycle_stage = ?, deleted_time = ? where run_uuid = ?', [stage, stage === 'deleted' ? Date.now() : null, runUuid]);
  }

  async logInputs(caller: Caller, runUuid: string, datasets: unknown): Promise<void> {
    if (datasets !== undefined && !Array.isArray(datasets)) throw MlflowError.invalid("Invalid value for parameter 'datasets': it must be a list");
    const list = (datasets ?? []) as MlflowDatasetInput[];
    if (list.length > LIMITS.datasetsPerBatch) throw MlflowError.invalid(`At most ${LIMITS.datasetsPerBatch} datasets per request`);
    const rows = list.map((d, i) => {
      const ds = d?.dataset;
      const str = (v: unknown, limit: number, path: string): string => {
        if (typeof v !== 'string' || v === '') throw MlflowError.invalid(`Missing value for required parameter 'datasets[${i}].dataset.${path}'.`);
        if (v.length > limit) throw MlflowError.invalid(`'datasets[${i}].dataset.${path}' exceeds ${limit} characters`);
        return noNul(v, `datasets[${i}].dataset.${path}`);
      };
      if (!ds || typeof ds !== 'object') throw MlflowError.invalid(`Missing value for required parameter 'datasets[${i}].dataset'.`);
      const context = Array.isArray(d.tags) ? d.tags.find(t => t?.key === 'mlflow.data.context')?.value : undefined;
      return [
        runUuid,
        str(ds.name, LIMITS.datasetName, 'name'),
        str(ds.digest, LIMITS.datasetDigest, 'digest'),
        str(ds.source_type, 36, 'source_type'),
        str(ds.source, 65535, 'source'),
        typeof ds.schema === 'string' ? noNul(ds.schema, 'schema').slice(0, 1048575) : null,
        typeof ds.profile === 'string' ? noNul(ds.profile, 'profile').slice(0, 16777215) : null,
        typeof context === 'string' ? noNul(context, 'context').slice(0, 500) : null
      ];
    });
    await this.activeWritable(caller, runUuid);
    await this.sql.tx(async sql => {
      for (const row of rows) {
        await sql.run(
          'insert into run_inputs (run_uuid, name, digest, source_type, source, schema, profile, context) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing',
          row
        );
      }
    });
  }

  /** The run in MLflow's shape (no access check). */
  async mlflowRun(run: RunRow): Promise<MlflowRun> {
    const id = run.run_uuid;
    const [params, tags, metrics, inputs] = await Promise.all([
      this.sql.all<{ key: string; value: string }>('select key, value from run_params where run_uuid = ? order by key', [id]),
      this.sql.all<{ key: string; value: string }>('select key, value from run_tags where run_uuid = ? order by key', [id]),
      this.sql.all('select key, value, is_nan, timestamp, step from latest_metrics where run_uuid = ? order by key', [id]),
      this.sql.all('select * from run_inputs where run_uuid = ? order by name', [id])
    ]);
    return {
      info: runInfo(run),
      data: {
        params,
        tags,
        metrics: metrics.map(m => ({ key: m.key as string, value: metricJson(m.value, m.is_nan), timestamp: num(m.timestamp), step: num(m.step) }))
      },
      inputs: {
        dataset_inputs: inputs.map(i => ({
          tags: i.context ? [{ key: 'mlflow.data.context', value: i.context as string }] : [],
          dataset: {
            name: i.name as string,
            digest: i.digest as string,
            source_type: i.source_type as string,
            source: i.source as string,
            ...(i.schema ? { schema: i.schema as string } : {}),
            ...(i.profile ? { profile: i.profile as string } : {})
          }
        }))
      }
    };
  }

  async history(runUuid: string, key: string, offset: number, limit: number): Promise<MlflowMetric[]> {
    const rows = await this.sql.all(
      'select value, is_nan, timestamp, step from metric_history where run_uuid = ? and key = ? order by step, timestamp limit ? offset ?',
      [runUuid, key, limit, offset]
    );
    return rows.map(r => ({ key, value: metricJson(r.value, r.is_nan), timestamp: num(r.timestamp), step: num(r.step) }));
  }

  async findStepRun(conveyorRunId: string, step: string): Promise<string | null> {
    const rows = await this.sql.all<{ run_uuid: string }>('select run_uuid from tracked_runs where conveyor_run_id = ? and step = ? order by start_time desc limit 1', [conveyorRunId, step]);
    return rows[0]?.run_uuid ?? null;
  }

  async mintStepToken(owner: string, runUuid: string, ttlSeconds: number): Promise<string> {
    const token = `cvs_${randomBytes(32).toString('base64url')}`;
    await this.sql.run('insert into tracking_tokens (hash, owner, run_uuid, expires_at) values (?, ?, ?, ?)', [sha256(token), owner, runUuid, Date.now() + ttlSeconds * 1000]);
    return token;
  }

  async revokeStepTokens(runUuid: string): Promise<void> {
    await this.sql.run('delete from tracking_tokens where run_uuid = ?', [runUuid]);
  }

  async authenticateStepToken(token: string): Promise<{ owner: string; runUuid: string } | null> {
    if (!token.startsWith('cvs_')) return null;
    const rows = await this.sql.all<{ owner: string; run_uuid: string; expires_at: unknown }>('select owner, run_uuid, expires_at from tracking_tokens where hash = ?', [sha256(token)]);
    const row = rows[0];
    if (!row || num(row.expires_at) <= Date.now()) return null;
    return { owner: row.owner, runUuid: row.run_uuid };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checkExperimentIdLoose(id: unknown): number {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && /^\d{1,15}$/.test(id)) return Number(id);
  throw MlflowError.notFound(`No Experiment with id=${String(id)} exists`);
}
