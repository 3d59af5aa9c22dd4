import { createHash } from 'node:crypto';
import { toRunRow, type AccessRules, type RunRow } from './access';
import { FilterError, parseFilter, parseOrderBy, type Clause, type OrderBy } from './filter';
import { LIMITS } from './limits';
import { MlflowError } from './mlflow/errors';
import { compileOrder, compileWhere } from './query';
import { runInfo, metricJson } from './runs';
import { list, num, type Param, type Sql } from './sql';
import type { MlflowRun } from './types';

export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface RunQuery {
  experimentIds: number[];
  clauses: Clause[];
  orders: OrderBy[];
  view: RunViewType;
}

/** The SQL of a run query: `from … where …` (runs aliased r) and its parameters. */
export interface CompiledQuery {
  from: string;
  where: string;
  params: Param[];
  orderJoins: string;
  orderParams: Param[];
  orderSql: string;
}

/** Parses filter and order_by; FilterError carries the position. */
export function parseQuery(experimentIds: number[], filter: string | undefined, orderBy: string[] | undefined, view: RunViewType = 'ACTIVE_ONLY'): RunQuery {
  return { experimentIds, clauses: parseFilter(filter), orders: (orderBy ?? []).map(parseOrderBy), view };
}

function pageHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

/** Search over tracked runs shared by the MLflow and Conveyor APIs. */
export class RunSearch {
  constructor(
    private readonly sql: Sql,
    private readonly access: AccessRules
  ) {}

  async compile(user: string, q: RunQuery): Promise<CompiledQuery> {
    const scope = await this.access.runScope(user, q.experimentIds);
    const where = compileWhere(q.clauses, this.sql.kind);
    const stage = q.view === 'ALL' ? '' : ` and r.lifecycle_stage = '${q.view === 'ACTIVE_ONLY' ? 'active' : 'deleted'}'`;
    const order = compileOrder(q.orders);
    return {
      from: 'tracked_runs r',
      where: `${scope.clause}${stage} and ${where.sql}`,
      params: [...scope.params, ...where.params],
      orderJoins: order.joins,
      orderParams: order.params,
      orderSql: order.sql
    };
  }

  /** One page of matching runs, ordered. */
  async page(c: CompiledQuery, offset: number, limit: number): Promise<RunRow[]> {
    const rows = await this.sql.all(
      `select r.* from tracked_runs r ${c.orderJoins} where ${c.where} order by ${c.orderSql} limit ? offset ?`,
      [...c.orderParams, ...c.params, limit, offset]
    );
    return rows.map(toRunRow);
  }

  async count(c: CompiledQuery): Promise<number> {
    const rows = await this.sql.all<{ n: unknown }>(`select count(*) as n from tracked_runs r where ${c.where}`, c.params);
    return num(rows[0].n);
  }

  /** Params, latest metrics and tags of many runs at once. */
  async hydrate(runs: RunRow[]): Promise<MlflowRun[]> {
    const byId = new Map<string, MlflowRun>();
    for (const run of runs) {
      byId.set(run.run_uuid, { info: runInfo(run), data: { metrics: [], params: [], tags: [] }, inputs: { dataset_inputs: [] } });
    }
    const ids = runs.map(r => r.run_uuid);
    for (let i = 0; i < ids.length; i += 900) {
      const chunk = ids.slice(i, i + 900);
      const inList = list(chunk.length);
      const [params, tags, metrics] = await Promise.all([
        this.sql.rows(`select run_uuid, key, value from run_params where run_uuid in (${inList})`, chunk),
        this.sql.rows(`select run_uuid, key, value from run_tags where run_uuid in (${inList})`, chunk),
        this.sql.rows(`select run_uuid, key, value, is_nan, timestamp, step from latest_metrics where run_uuid in (${inList})`, chunk)
      ]);
      for (const [id, key, value] of params) byId.get(id as string)!.data.params.push({ key: key as string, value: value as string });
      for (const [id, key, value] of tags) byId.get(id as string)!.data.tags.push({ key: key as string, value: value as string });
      for (const [id, key, value, isNan, timestamp, step] of metrics) {
        byId.get(id as string)!.data.metrics.push({ key: key as string, value: metricJson(value, isNan), timestamp: num(timestamp), step: num(step) });
      }
    }
    return [...byId.values()];
  }

  /** MLflow search-runs: filter, order_by, max_results ≤ 50,000, opaque page tokens. */
  async mlflowSearch(
    user: string,
    body: { experiment_ids?: unknown; filter?: unknown; run_view_type?: unknown; max_results?: unknown; order_by?: unknown; page_token?: unknown }
  ): Promise<{ runs?: MlflowRun[]; next_page_token?: string }> {
    const rawIds = body.experiment_ids === undefined ? [] : Array.isArray(body.experiment_ids) ? body.experiment_ids : [body.experiment_ids];
    const ids: number[] = [];
    for (const id of rawIds) {
      if (typeof id !== 'string' && typeof id !== 'number') throw MlflowError.invalid("Invalid value for parameter 'experiment_ids'");
      if (!/^\d{1,15}$/.test(String(id))) continue;
      ids.push(Number(id));
    }
    const maxResults = body.max_results === undefined || body.max_results === null ? 1000 : Number(body.max_results);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxResults) {
      throw MlflowError.invalid(`Invalid value ${String(body.max_results)} for parameter 'max_results' supplied. It must be at most ${LIMITS.maxResults}`);
    }
    const view = parseView(body.run_view_type);
    const filter = body.filter === undefined || body.filter === null ? '' : String(body.filter);
    const orderBy = body.order_by === undefined ? [] : (Array.isArray(body.order_by) ? body.order_by : [body.order_by]).map(String);
    let q: RunQuery;
    try {
      q = parseQuery(ids, filter, orderBy, view);
    } catch (err) {
      if (err instanceof FilterError) throw MlflowError.invalid(`Invalid filter or order_by: ${err.message}`);
      throw err;
    }
    const hash = pageHash([ids, filter, orderBy, view]);
    const offset = readPageToken(body.page_token, hash);
    // Experiments the caller cannot see are skipped like MLflow skips unknown ones.
    const visible: number[] = [];
    for (const id of ids) {
      const exp = await this.access.experiment(id);
      if (exp && (await this.access.experimentAccess(user, exp))) visible.push(id);
    }
    if (!visible.length) return {};
    const compiled = await this.compile(user, { ...q, experimentIds: visible });
    const rows = await this.page(compiled, offset, maxResults + 1);
    const more = rows.length > maxResults;
    const runs = await this.hydrate(more ? rows.slice(0, maxResults) : rows);
    return {
      ...(runs.length ? { runs } : {}),
      ...(more ? { next_page_token: Buffer.from(JSON.stringify({ offset: offset + maxResults, q: hash })).toString('base64url') } : {})
    };
  }
}

export function parseView(value: unknown): RunViewType {
  if (value === undefined || value === null || value === '' || value === 'ACTIVE_ONLY' || value === 1 || value === '1') return 'ACTIVE_ONLY';
  if (value === 'DELETED_ONLY' || value === 2 || value === '2') return 'DELETED_ONLY';
  if (value === 'ALL' || value === 3 || value === '3') return 'ALL';
  throw MlflowError.invalid(`Invalid value ${JSON.stringify(value)} for parameter 'run_view_type' supplied.`);
}

function readPageToken(token: unknown, hash: string): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { offset?: unknown; q?: unknown };
    if (typeof parsed.offset === 'number' && Number.isSafeInteger(parsed.offset) && parsed.offset >= 0 && parsed.q === hash) return parsed.offset;
  } catch {
    // fall through
  }
  throw MlflowError.invalid('Invalid page token: it does not belong to this search');
}
