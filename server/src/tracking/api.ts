import type {
  ExperimentList,
  ExperimentRunDetail,
  ExperimentRunModelVersion,
  ExperimentSearch,
  ExperimentSearchResult,
  ExperimentValues,
  ExperimentValuesRequest
} from '../../../schema/generated/api';
import type { ArtifactStore } from '../artifacts/store';
import { AppError } from '../core/errors';
import { columnValues, metricOut, parseColumn, type Column } from './columns';
import { FilterError } from './filter';
import { checkKey } from './limits';
import { MlflowError } from './mlflow/errors';
import { parseQuery, type CompiledQuery } from './search';
import type { TrackingService } from './service';
import { list, num } from './sql';
import type { RunStatus } from './types';

export const CANDIDATE_TAG = 'conveyor.candidate';
const VALUES_LIMIT = 10_000;

/** MLflow errors and filter errors in Conveyor's error format. */
export function asAppError(err: unknown): unknown {
  if (err instanceof FilterError) return new AppError(400, 'invalid_filter', err.message, { position: err.position });
  if (err instanceof MlflowError) {
    const code = { RESOURCE_DOES_NOT_EXIST: 'not_found', PERMISSION_DENIED: 'forbidden', RESOURCE_ALREADY_EXISTS: 'conflict' }[err.errorCode as string] ?? 'invalid_request';
    const status = err.errorCode === 'RESOURCE_ALREADY_EXISTS' ? 409 : err.status >= 500 ? 500 : err.status;
    return new AppError(status, code, err.message);
  }
  return err;
}

interface Aggregates {
  total: number;
  keys: ExperimentSearchResult['keys'];
  differingParams: string[];
  groups?: { value: string | null; count: number }[];
}

/** The model versions registered from a run that a user can see (given by the models module). */
export type ModelVersionsOfRun = (user: string, runId: string) => Promise<ExperimentRunModelVersion[]>;

/** Conveyor's /experiments API over the tracking service. */
export class ExperimentsApi {
  /** Aggregates of a search (total, keys, differing params, groups) until the next write. */
  private readonly cache = new Map<string, { version: number; value: Aggregates }>();

  constructor(
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactStore,
    private readonly modelVersionsOf?: ModelVersionsOfRun
  ) {}

  async list(user: string): Promise<ExperimentList> {
    const visible = await this.tracking.experiments.visible(user, 'ALL');
    const ids = visible.map(v => v.exp.experiment_id);
    const scope = await this.tracking.access.runScope(user, ids);
    const counts = await this.tracking.sql.all(
      `select r.experiment_id, count(*) as n, max(r.start_time) as last from tracked_runs r where ${scope.clause} and r.lifecycle_stage = 'active' group by r.experiment_id`,
      scope.params
    );
    const byId = new Map(counts.map(c => [num(c.experiment_id), { n: num(c.n), last: c.last === null ? null : num(c.last) }]));
    const shares = await this.tracking.experiments.shares(ids);
    const experiments = visible.map(({ exp }) => ({
      id: String(exp.experiment_id),
      name: exp.name,
      owner: exp.owner,
      runCount: byId.get(exp.experiment_id)?.n ?? 0,
      lastRunTime: byId.get(exp.experiment_id)?.last ?? null,
      sharedWith: shares.get(exp.experiment_id) ?? [],
      lifecycleStage: exp.lifecycle_stage as 'active' | 'deleted'
    }));
    experiments.sort((a, b) => (b.lastRunTime ?? 0) - (a.lastRunTime ?? 0) || Number(a.id) - Number(b.id));
    return { experiments };
  }

  async setShares(user: string, id: string, users: string[]): Promise<{ users: string[] }> {
    if (!/^\d{1,15}$/.test(id)) throw AppError.notFound(`No experiment ${id}`);
    return { users: await this.tracking.experiments.setShares(user, Number(id), users) };
  }

  private async compile(user: string, ids: string[], filter?: string, orderBy?: string[], groupBy?: string): Promise<CompiledQuery> {
    if (groupBy?.includes('\u0000')) throw AppError.invalid('groupBy must not contain NUL characters');
    const q = parseQuery(ids.map(Number), filter, orderBy);
    if (groupBy) q.orders.unshift({ kind: 'param', key: groupBy, desc: false });
    return this.tracking.search.compile(user, q);
  }

  private async keys(user: string, ids: number[]): Promise<Aggregates['keys']> {
    const out: Aggregates['keys'] = { params: [], metrics: [], tags: [] };
    const visible = await Promise.all(ids.map(id => this.tracking.access.visibleExperiment(user, id)));
    const full = visible.filter(v => v.access !== 'own-runs').map(v => v.exp.experiment_id);
    const own = visible.filter(v => v.access === 'own-runs').map(v => v.exp.experiment_id);
    const parts: string[] = [];
    const params: (string | number)[] = [];
    if (full.length) { parts.push(`experiment_id in (${list(full.length)})`); params.push(...full); }
    if (own.length) { parts.push(`(experiment_id in (${list(own.length)}) and owner = ?)`); params.push(...own, user); }
    const rows = await this.tracking.sql.all<{ kind: string; key: string }>(`select distinct kind, key from tracking_keys where ${parts.join(' or ')} order by key`, params);
    for (const r of rows) (r.kind === 'param' ? out.params : r.kind === 'metric' ? out.metrics : out.tags).push(r.key);
    return out;
  }

  private async aggregates(user: string, body: ExperimentSearch, c: CompiledQuery): Promise<Aggregates> {
    const cacheKey = JSON.stringify([user, body.experimentIds, body.filter ?? '', body.groupBy ?? '']);
    const hit = this.cache.get(cacheKey);
    if (hit && hit.version === this.tracking.sql.version) return hit.value;
    const sql = this.tracking.sql;
    const [{ n }] = await sql.all<{ n: unknown }>(`select count(*) as n from tracked_runs r where ${c.where}`, c.params);
    const total = num(n);
    // min <> max is "more than one value" without the sort count(distinct) needs.
    const perKey = await sql.all<{ key: string; n: unknown; lo: string; hi: string }>(
      `select p.key, count(*) as n, min(p.value) as lo, max(p.value) as hi from run_params p join tracked_runs r on r.run_uuid = p.run_uuid where ${c.where} group by p.key order by p.key`,
      c.params
    );
    const differingParams = perKey.filter(k => k.lo !== k.hi || num(k.n) < total).map(k => k.key);
    let groups: Aggregates['groups'];
    if (body.groupBy) {
      const rows = await sql.all<{ value: string | null; n: unknown }>(
        `select g.value as value, count(*) as n from tracked_runs r left join run_params g on g.run_uuid = r.run_uuid and g.key = ? where ${c.where} group by g.value order by g.value`,
        [body.groupBy, ...c.params]
      );
      groups = rows.map(r => ({ value: r.value, count: num(r.n) }));
      groups.sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : 0));
    }
    const value = { total, keys: await this.keys(user, body.experimentIds.map(Number)), differingParams, ...(groups ? { groups } : {}) };
    if (this.cache.size > 200) this.cache.clear();
    this.cache.set(cacheKey, { version: sql.version, value });
    return value;
  }

  async search(user: string, body: ExperimentSearch): Promise<ExperimentSearchResult> {
    const c = await this.compile(user, body.experimentIds, body.filter, body.orderBy, body.groupBy);
    const offset = body.offset ?? 0;
    const limit = body.limit ?? 200;
    const [rows, agg] = await Promise.all([this.tracking.search.page(c, offset, limit), this.aggregates(user, body, c)]);
    const columns: Column[] = (body.columns ?? [...agg.keys.params.map(k => `params.${k}`), ...agg.keys.metrics.map(k => `metrics.${k}`)].slice(0, 200)).map(parseColumn);
    const ids = rows.map(r => r.run_uuid);
    const values = await columnValues(this.tracking.sql, ids, [...columns, parseColumn(`tags.${CANDIDATE_TAG}`)]);
    return {
      total: agg.total,
      offset,
      runs: rows.map(r => {
        const v = values.get(r.run_uuid)!;
        const candidate = v[`tags.${CANDIDATE_TAG}`] === 'true';
        if (!columns.some(col => col.name === `tags.${CANDIDATE_TAG}`)) delete v[`tags.${CANDIDATE_TAG}`];
        return {
          runId: r.run_uuid,
          experimentId: String(r.experiment_id),
          name: r.run_name,
          status: r.status as RunStatus,
          owner: r.owner,
          startTime: r.start_time,
          endTime: r.end_time,
          conveyorRunId: r.conveyor_run_id,
          step: r.step,
          candidate,
          values: v
        };
      }),
      keys: agg.keys,
      differingParams: agg.differingParams,
      ...(agg.groups ? { groups: agg.groups } : {})
    };
  }

  async values(user: string, body: ExperimentValuesRequest): Promise<ExperimentValues> {
    const c = await this.compile(user, body.experimentIds, body.filter);
    const rows = await this.tracking.search.page(c, 0, VALUES_LIMIT + 1);
    const truncated = rows.length > VALUES_LIMIT;
    const runs = truncated ? rows.slice(0, VALUES_LIMIT) : rows;
    const columns = body.columns.map(parseColumn);
    const values = await columnValues(this.tracking.sql, runs.map(r => r.run_uuid), columns);
    return {
      runIds: runs.map(r => r.run_uuid),
      names: runs.map(r => r.run_name),
      columns: Object.fromEntries(columns.map(col => [col.name, runs.map(r => values.get(r.run_uuid)![col.name])])),
      ...(truncated ? { truncated } : {})
    };
  }

  async run(user: string, runId: string): Promise<ExperimentRunDetail> {
    const { run, exp } = await this.tracking.access.readableRun(user, runId);
    const sql = this.tracking.sql;
    const [params, tags, metrics, inputs, artifacts, modelVersions] = await Promise.all([
      sql.all<{ key: string; value: string }>('select key, value from run_params where run_uuid = ? order by key', [runId]),
      sql.all<{ key: string; value: string }>('select key, value from run_tags where run_uuid = ? order by key', [runId]),
      sql.all('select * from latest_metrics where run_uuid = ? order by key', [runId]),
      sql.all('select name, digest, source, context from run_inputs where run_uuid = ? order by name', [runId]),
      this.tracking.allArtifacts(runId),
      this.modelVersionsOf ? this.modelVersionsOf(user, runId) : undefined
    ]);
    const tagMap = Object.fromEntries(tags.map(t => [t.key, t.value]));
    const metricMap = Object.fromEntries(
      metrics.map(m => [m.key as string, { value: metricOut(m.value, m.is_nan)!, step: num(m.step), timestamp: num(m.timestamp), min: metricOut(m.min_value), max: metricOut(m.max_value), count: num(m.count) }])
    );
    const datasets: { name: string; digest: string; source: string | null; context: string | null }[] = inputs.map(i => ({ name: i.name as string, digest: i.digest as string, source: (i.source as string) ?? null, context: (i.context as string) ?? null }));
    try {
      const tagged = JSON.parse(tagMap['conveyor.datasets'] ?? '[]') as unknown;
      if (Array.isArray(tagged)) {
        for (const d of tagged) {
          if (d && typeof d === 'object' && typeof d.name === 'string') datasets.push({ name: d.name, digest: String(d.digest ?? d.version ?? ''), source: typeof d.source === 'string' ? d.source : null, context: null });
        }
      }
    } catch {
      // A malformed tag is shown as no datasets.
    }
    const cost = metricMap['conveyor.cost_usd']?.value;
    return {
      run: {
        runId,
        experimentId: String(run.experiment_id),
        experimentName: exp.name,
        name: run.run_name,
        status: run.status as RunStatus,
        owner: run.owner,
        startTime: run.start_time,
        endTime: run.end_time,
        lifecycleStage: run.lifecycle_stage as 'active' | 'deleted',
        artifactUri: run.artifact_uri,
        candidate: tagMap[CANDIDATE_TAG] === 'true',
        params: Object.fromEntries(params.map(p => [p.key, p.value])),
        metrics: metricMap,
        tags: tagMap
      },
      artifacts,
      lineage: {
        conveyorRunId: run.conveyor_run_id ?? tagMap['conveyor.run_id'] ?? null,
        step: run.step ?? tagMap['conveyor.step'] ?? null,
        notebookHash: tagMap['conveyor.notebook_hash'] ?? null,
        gitCommit: tagMap['mlflow.source.git.commit'] ?? null,
        imageDigest: tagMap['conveyor.image_digest'] ?? null,
        profile: tagMap['conveyor.profile'] ?? null,
        cost: typeof cost === 'number' ? cost : null,
        datasets,
        user: run.owner
      },
      ...(modelVersions ? { modelVersions } : {})
    };
  }

  async history(user: string, runId: string, key: string): Promise<{ history: { step: number; timestamp: number; value: number | string }[] }> {
    checkKey(key);
    await this.tracking.access.readableRun(user, runId);
    const rows = await this.tracking.sql.all('select value, is_nan, timestamp, step from metric_history where run_uuid = ? and key = ? order by step, timestamp', [runId, key]);
    return { history: rows.map(r => ({ step: num(r.step), timestamp: num(r.timestamp), value: metricOut(r.value, r.is_nan)! })) };
  }

  async setCandidate(user: string, runId: string, candidate: boolean): Promise<{ candidate: boolean }> {
    const { run } = await this.tracking.access.writableRun({ user }, runId);
    if (candidate) await this.tracking.runs.logUnchecked(run, { tags: [{ key: CANDIDATE_TAG, value: 'true' }] });
    else await this.tracking.sql.run('delete from run_tags where run_uuid = ? and key = ?', [runId, CANDIDATE_TAG]);
    return { candidate };
  }

  async diff(user: string, a: unknown, b: unknown, diffNotebooks: (a: unknown, b: unknown) => unknown): Promise<unknown> {
    const load = async (runId: unknown, side: string): Promise<unknown> => {
      if (typeof runId !== 'string' || !/^[0-9a-f]{32}$/.test(runId)) throw AppError.invalid(`${side} must be a tracked run id (32 hex)`);
      await this.tracking.access.readableRun(user, runId);
      const found = await this.tracking.artifact(runId, 'executed.ipynb');
      if (!found) throw new AppError(404, 'not_found', `Run ${runId} has no executed notebook (executed.ipynb)`);
      try {
        return JSON.parse((await this.artifacts.read(found.hash)).toString('utf8')) as unknown;
      } catch (err) {
        if (err instanceof SyntaxError) throw AppError.invalid(`The executed notebook of run ${runId} is not JSON`);
        throw err;
      }
    };
    return diffNotebooks(await load(a, 'a'), await load(b, 'b'));
  }
}
