import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, RunsTable, StepsTable } from '../store/database';
import type { RunState, StepState } from './model';

type RunRow = Selectable<RunsTable>;
type StepRow = Selectable<StepsTable>;

const parse = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));

export function toRunState(row: RunRow): RunState {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    experiment: row.experiment,
    status: row.status as RunState['status'],
    pipeline: parse(row.pipeline, undefined),
    params: parse(row.params, {}),
    sweep: parse(row.sweep, null),
    submit: parse(row.submit, {}),
    parentId: row.parent_id,
    resumedFrom: row.resumed_from,
    cache: Number(row.cache) === 1,
    sourcePath: row.source_path,
    gitCommit: row.git_commit,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at
  };
}

export function toStepState(row: StepRow): StepState {
  return {
    runId: row.run_id,
    name: row.name,
    position: Number(row.position),
    status: row.status as StepState['status'],
    attempt: Number(row.attempt),
    dependsOn: parse(row.depends_on, []),
    spec: parse(row.spec, {} as StepState['spec']),
    containerId: row.container_id,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    oomKilled: Number(row.oom_killed) === 1,
    error: parse(row.error, null),
    cacheKey: row.cache_key,
    cachedFrom: row.cached_from,
    imageDigest: row.image_digest,
    notebookHash: row.notebook_hash,
    executedNotebook: row.executed_notebook,
    outputs: parse(row.outputs, []),
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at
  };
}

function runRow(run: RunState): RunRow {
  return {
    id: run.id,
    owner: run.owner,
    name: run.name,
    experiment: run.experiment,
    status: run.status,
    pipeline: JSON.stringify(run.pipeline ?? null),
    params: JSON.stringify(run.params),
    sweep: run.sweep ? JSON.stringify(run.sweep) : null,
    submit: JSON.stringify(run.submit),
    parent_id: run.parentId,
    resumed_from: run.resumedFrom,
    cache: run.cache ? 1 : 0,
    source_path: run.sourcePath,
    git_commit: run.gitCommit,
    error: run.error,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt
  };
}

function stepRow(step: StepState): StepRow {
  return {
    run_id: step.runId,
    name: step.name,
    position: step.position,
    status: step.status,
    attempt: step.attempt,
    depends_on: JSON.stringify(step.dependsOn),
    spec: JSON.stringify(step.spec),
    container_id: step.containerId,
    exit_code: step.exitCode,
    oom_killed: step.oomKilled ? 1 : 0,
    error: step.error ? JSON.stringify(step.error) : null,
    cache_key: step.cacheKey,
    cached_from: step.cachedFrom,
    image_digest: step.imageDigest,
    notebook_hash: step.notebookHash,
    executed_notebook: step.executedNotebook,
    outputs: JSON.stringify(step.outputs),
    queued_at: step.queuedAt,
    started_at: step.startedAt,
    finished_at: step.finishedAt
  };
}

/** The changes of a step, in row form (only the fields given). */
export type StepPatch = Partial<Omit<StepState, 'runId' | 'name' | 'position' | 'dependsOn' | 'spec'>>;
export type RunPatch = Partial<Pick<RunState, 'status' | 'error' | 'startedAt' | 'finishedAt' | 'gitCommit'>>;

function stepPatchRow(patch: StepPatch): Updateable<StepsTable> {
  const row: Updateable<StepsTable> = {};
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.attempt !== undefined) row.attempt = patch.attempt;
  if (patch.containerId !== undefined) row.container_id = patch.containerId;
  if (patch.exitCode !== undefined) row.exit_code = patch.exitCode;
  if (patch.oomKilled !== undefined) row.oom_killed = patch.oomKilled ? 1 : 0;
  if (patch.error !== undefined) row.error = patch.error ? JSON.stringify(patch.error) : null;
  if (patch.cacheKey !== undefined) row.cache_key = patch.cacheKey;
  if (patch.cachedFrom !== undefined) row.cached_from = patch.cachedFrom;
  if (patch.imageDigest !== undefined) row.image_digest = patch.imageDigest;
  if (patch.notebookHash !== undefined) row.notebook_hash = patch.notebookHash;
  if (patch.executedNotebook !== undefined) row.executed_notebook = patch.executedNotebook;
  if (patch.outputs !== undefined) row.outputs = JSON.stringify(patch.outputs);
  if (patch.queuedAt !== undefined) row.queued_at = patch.queuedAt;
  if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
  return row;
}

export interface RunFilter {
  owner: string;
  status?: string;
  q?: string;
  parent?: string;
  limit: number;
  /** The id of the last run of the previous page. */
  cursor?: string;
}

/** Queries of the runs and steps tables; only the runs feature touches them. */
export class RunQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a run and its steps in one transaction. */
  async insert(run: RunState, steps: StepState[]): Promise<void> {
    await this.db.transaction().execute(async trx => {
      await trx.insertInto('runs').values(runRow(run)).execute();
      if (steps.length) {
        await trx.insertInto('steps').values(steps.map(stepRow)).execute();
      }
    });
  }

  async get(id: string): Promise<RunState | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRunState(row) : undefined;
  }

  async steps(runId: string): Promise<StepState[]> {
    const rows = await this.db.selectFrom('steps').selectAll().where('run_id', '=', runId).orderBy('position').execute();
    return rows.map(toStepState);
  }

  async step(runId: string, name: string): Promise<StepState | undefined> {
    const row = await this.db
      .selectFrom('steps')
      .selectAll()
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toStepState(row) : undefined;
  }

  async list(filter: RunFilter): Promise<RunState[]> {
    let query = this.db.selectFrom('runs').selectAll().where('owner', '=', filter.owner);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.parent) query = query.where('parent_id', '=', filter.parent);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, c => `\\${c}`)}%`;
      query = query.where(eb =>
        eb.or([
          eb(eb.fn('lower', ['name']), 'like', like),
          eb(eb.fn('lower', ['experiment']), 'like', like),
          eb(eb.fn('lower', ['id']), 'like', like)
        ])
      );
    }
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toRunState);
  }

  /** Runs the scheduler still has to drive, oldest first. */
  async active(): Promise<RunState[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id')
      .execute();
    return rows.map(toRunState);
  }

  async children(parentId: string): Promise<RunState[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('parent_id', '=', parentId).orderBy('id').execute();
    return rows.map(toRunState);
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const row: Updateable<RunsTable> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (patch.gitCommit !== undefined) row.git_commit = patch.gitCommit;
    await this.db.updateTable('runs').set(row).where('id', '=', id).execute();
  }

  async updateStep(runId: string, name: string, patch: StepPatch): Promise<void> {
    await this.db
      .updateTable('steps')
      .set(stepPatchRow(patch))
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .execute();
  }

  /** The newest succeeded execution of `owner` with this cache key, if any. */
  async findCached(owner: string, cacheKey: string, excludeRun: string): Promise<StepState | undefined> {
    const row = await this.db
      .selectFrom('steps')
      .innerJoin('runs', 'runs.id', 'steps.run_id')
      .selectAll('steps')
      .where('runs.owner', '=', owner)
      .where('steps.cache_key', '=', cacheKey)
      .where('steps.status', '=', 'succeeded')
      .where('steps.run_id', '!=', excludeRun)
      .orderBy('steps.finished_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toStepState(row) : undefined;
  }
}
