import type { RunRow } from './access';
import { LIMITS, storedValue, type KeyValue, type Metric } from './limits';
import { MlflowError } from './mlflow/errors';
import { list, placeholders, type Param, type Sql } from './sql';

const NEWER = `(excluded.step > latest_metrics.step or (excluded.step = latest_metrics.step and (excluded.timestamp > latest_metrics.timestamp or (excluded.timestamp = latest_metrics.timestamp and excluded.value > latest_metrics.value))))`;
const pick = (col: string): string => `${col} = case when ${NEWER} then excluded.${col} else latest_metrics.${col} end`;
const UPSERT_LATEST = `on conflict (run_uuid, key) do update set ${['value', 'is_nan', 'timestamp', 'step'].map(pick).join(', ')},
  min_value = case when excluded.min_value is null then latest_metrics.min_value when latest_metrics.min_value is null or excluded.min_value < latest_metrics.min_value then excluded.min_value else latest_metrics.min_value end,
  max_value = case when excluded.max_value is null then latest_metrics.max_value when latest_metrics.max_value is null or excluded.max_value > latest_metrics.max_value then excluded.max_value else latest_metrics.max_value end,
  count = latest_metrics.count + excluded.count`;

/** Inserts rows: one cached statement per row on SQLite, multi-row statements on Postgres. */
async function insertRows(sql: Sql, head: string, cols: number, rows: Param[][], tail = ''): Promise<void> {
  if (!rows.length) return;
  if (sql.kind === 'sqlite') {
    const query = `${head} values ${placeholders(1, cols)} ${tail}`;
    for (const row of rows) await sql.run(query, row);
    return;
  }
  const chunk = Math.max(1, Math.floor(30000 / cols));
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await sql.run(`${head} values ${placeholders(part.length, cols)} ${tail}`, part.flat());
  }
}

interface Latest {
  value: number;
  isNan: number;
  timestamp: number;
  step: number;
  min: number | null;
  max: number | null;
  count: number;
}

function newer(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  return a.step > b.step || (a.step === b.step && (a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.value > b.value)));
}

/** Per key of a batch: the latest value by MLflow's rule, min/max over non-NaN values, count. */
function aggregate(metrics: Metric[]): Map<string, Latest> {
  const out = new Map<string, Latest>();
  for (const m of metrics) {
    const [value, isNan] = storedValue(m.value);
    const cur = out.get(m.key);
    const point = { value, timestamp: m.timestamp, step: m.step };
    if (!cur) {
      out.set(m.key, { ...point, isNan, min: isNan ? null : value, max: isNan ? null : value, count: 1 });
      continue;
    }
    if (newer(point, cur)) Object.assign(cur, point, { isNan });
    if (!isNan) {
      cur.min = cur.min === null || value < cur.min ? value : cur.min;
      cur.max = cur.max === null || value > cur.max ? value : cur.max;
    }
    cur.count++;
  }
  return out;
}

export interface Batch {
  metrics?: Metric[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** MLflow's batch limits (before anything is written). */
export function checkBatchSize(batch: Batch): void {
  const m = batch.metrics?.length ?? 0;
  const p = batch.params?.length ?? 0;
  const t = batch.tags?.length ?? 0;
  if (m > LIMITS.metricsPerBatch) throw MlflowError.invalid(`A batch logging request can contain at most ${LIMITS.metricsPerBatch} metrics. Got ${m} metrics.`);
  if (p > LIMITS.paramsTagsPerBatch) throw MlflowError.invalid(`A batch logging request can contain at most ${LIMITS.paramsTagsPerBatch} params. Got ${p} params.`);
  if (t > LIMITS.paramsTagsPerBatch) throw MlflowError.invalid(`A batch logging request can contain at most ${LIMITS.paramsTagsPerBatch} tags. Got ${t} tags.`);
  if (m + p + t > LIMITS.entitiesPerBatch) throw MlflowError.invalid(`A batch logging request can contain at most ${LIMITS.entitiesPerBatch} total metrics, params, and tags. Got ${m + p + t}.`);
}

/**
 * Writes a batch in the caller's transaction with MLflow's semantics: params write-once (same
 * value: no-op; other value: INVALID_PARAMETER_VALUE and nothing is written), metrics appended
 * with the latest row updated, tags overwritten (`mlflow.runName` renames the run).
 */
export class BatchWriter {
  /** Keys already recorded in tracking_keys (experiment|owner|kind|key). */
  private readonly knownKeys = new Set<string>();

  async write(sql: Sql, run: RunRow, batch: Batch): Promise<void> {
    const params = batch.params ?? [];
    const metrics = batch.metrics ?? [];
    const tags = batch.tags ?? [];
    if (params.length) await this.writeParams(sql, run, params);
    if (metrics.length) {
      await insertRows(
        sql,
        'insert into metric_history (run_uuid, key, value, is_nan, timestamp, step)',
        6,
        metrics.map(m => [run.run_uuid, m.key, ...storedValue(m.value), m.timestamp, m.step])
      );
      const rows: Param[][] = [];
      for (const [key, l] of aggregate(metrics)) rows.push([run.run_uuid, key, l.value, l.isNan, l.timestamp, l.step, l.min, l.max, l.count]);
      await insertRows(sql, 'insert into latest_metrics (run_uuid, key, value, is_nan, timestamp, step, min_value, max_value, count)', 9, rows, UPSERT_LATEST);
    }
    if (tags.length) {
      const last = new Map(tags.map(t => [t.key, t.value]));
      await insertRows(sql, 'insert into run_tags (run_uuid, key, value)', 3, [...last].map(([k, v]) => [run.run_uuid, k, v]), 'on conflict (run_uuid, key) do update set value = excluded.value');
      const name = last.get('mlflow.runName');
      if (name !== undefined) await sql.run('update tracked_runs set run_name = ? where run_uuid = ?', [name.slice(0, LIMITS.runName), run.run_uuid]);
    }
    await this.recordKeys(sql, run, [
      ...params.map(p => ['param', p.key] as const),
      ...metrics.map(m => ['metric', m.key] as const),
      ...tags.map(t => ['tag', t.key] as const)
    ]);
  }

  private async writeParams(sql: Sql, run: RunRow, params: KeyValue[]): Promise<void> {
    const given = new Map<string, string>();
    for (const p of params) {
      const prev = given.get(p.key);
      if (prev !== undefined && prev !== p.value) {
        throw MlflowError.invalid(`Duplicate parameter keys have been submitted with different values: ${p.key}`);
      }
      given.set(p.key, p.value);
    }
    const keys = [...given.keys()];
    const existing = await sql.all<{ key: string; value: string }>(`select key, value from run_params where run_uuid = ? and key in (${list(keys.length)})`, [run.run_uuid, ...keys]);
    for (const e of existing) {
      if (given.get(e.key) !== e.value) {
        throw MlflowError.invalid(
          `Changing param values is not allowed. Param with key='${e.key}' was already logged with value='${e.value}' for run ID='${run.run_uuid}'. Attempted logging new value '${given.get(e.key)}'.`
        );
      }
      given.delete(e.key);
    }
    if (!given.size) return;
    const fresh = [...given];
    await insertRows(sql, 'insert into run_params (run_uuid, key, value)', 3, fresh.map(([k, v]) => [run.run_uuid, k, v]), 'on conflict (run_uuid, key) do nothing');
    if (sql.kind === 'postgres') {
      // A concurrent request may have logged the same key meanwhile: its value must be ours.
      const now = await sql.all<{ key: string; value: string }>(`select key, value from run_params where run_uuid = ? and key in (${list(fresh.length)})`, [run.run_uuid, ...fresh.map(([k]) => k)]);
      const clash = now.find(e => given.get(e.key) !== e.value);
      if (clash) throw MlflowError.invalid(`Changing param values is not allowed. Param with key='${clash.key}' was already logged with value='${clash.value}' for run ID='${run.run_uuid}'.`);
    }
  }

  private async recordKeys(sql: Sql, run: RunRow, keys: (readonly [string, string])[]): Promise<void> {
    const fresh: Param[][] = [];
    for (const [kind, key] of keys) {
      const id = `${run.experiment_id}|${run.owner}|${kind}|${key}`;
      if (this.knownKeys.has(id)) continue;
      this.knownKeys.add(id);
      fresh.push([run.experiment_id, run.owner, kind, key]);
    }
    if (this.knownKeys.size > 200_000) this.knownKeys.clear();
    await insertRows(sql, 'insert into tracking_keys (experiment_id, owner, kind, key)', 4, fresh, 'on conflict do nothing');
  }

  /** A failed transaction may have rolled back key rows: forget the cache so they are written again. */
  forget(): void {
    this.knownKeys.clear();
  }
}
