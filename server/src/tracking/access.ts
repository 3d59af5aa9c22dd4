import { comparisonExperiments } from '../shares/access';
import { MlflowError } from './mlflow/errors';
import { num, type Sql } from './sql';
import type { Access, Caller } from './types';

export interface ExperimentRow {
  experiment_id: number;
  owner: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface RunRow {
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
  conveyor_run_id: string | null;
  step: string | null;
}

export function toExperimentRow(r: Record<string, unknown>): ExperimentRow {
  return {
    experiment_id: num(r.experiment_id),
    owner: r.owner as string,
    name: r.name as string,
    artifact_location: r.artifact_location as string,
    lifecycle_stage: r.lifecycle_stage as string,
    creation_time: num(r.creation_time),
    last_update_time: num(r.last_update_time)
  };
}

export function toRunRow(r: Record<string, unknown>): RunRow {
  return {
    run_uuid: r.run_uuid as string,
    experiment_id: num(r.experiment_id),
    owner: r.owner as string,
    run_name: r.run_name as string,
    status: r.status as string,
    start_time: num(r.start_time),
    end_time: r.end_time === null || r.end_time === undefined ? null : num(r.end_time),
    deleted_time: r.deleted_time === null || r.deleted_time === undefined ? null : num(r.deleted_time),
    lifecycle_stage: r.lifecycle_stage as string,
    artifact_uri: r.artifact_uri as string,
    conveyor_run_id: (r.conveyor_run_id as string | null) ?? null,
    step: (r.step as string | null) ?? null
  };
}

/**
 * The visibility rules: an experiment's owner reads and writes it all; a user it is shared with
 * (or everyone, "*") reads all its runs; anyone may use Default ("0") but sees only their runs.
 */
export class AccessRules {
  constructor(private readonly sql: Sql) {}

  async experimentAccess(user: string, exp: ExperimentRow): Promise<Access | null> {
    if (exp.owner === user && user !== '') return 'owner';
    const shared = await this.sql.all('select 1 as x from experiment_shares where experiment_id = ? and ("user" = ? or "user" = ?)', [exp.experiment_id, user, '*']);
    if (shared.length) return 'shared';
    // shares (issue #8): a redeemed, live comparison link including the experiment reads it all.
    if ((await comparisonExperiments(this.sql, user)).has(exp.experiment_id)) return 'shared';
    if (exp.experiment_id === 0) return 'own-runs';
    return null;
  }

  async experiment(id: number): Promise<ExperimentRow | undefined> {
    const rows = await this.sql.all('select * from experiments where experiment_id = ?', [id]);
    return rows[0] ? toExperimentRow(rows[0]) : undefined;
  }

  /** The experiment if the user can see it, else 404 (existence is not revealed). */
  async visibleExperiment(user: string, id: number): Promise<{ exp: ExperimentRow; access: Access }> {
    const exp = await this.experiment(id);
    const access = exp ? await this.experimentAccess(user, exp) : null;
    if (!exp || !access) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
    return { exp, access };
  }

  async run(runUuid: string): Promise<RunRow | undefined> {
    const rows = await this.sql.all('select * from tracked_runs where run_uuid = ?', [runUuid]);
    return rows[0] ? toRunRow(rows[0]) : undefined;
  }

  /** A run the caller can read, else 404. */
  async readableRun(user: string, runUuid: string): Promise<{ run: RunRow; exp: ExperimentRow; write: boolean }> {
    const run = await this.run(runUuid);
    const notFound = MlflowError.notFound(`Run with id=${runUuid} not found`);
    if (!run) throw notFound;
    const exp = (await this.experiment(run.experiment_id))!;
    if (run.owner === user) return { run, exp, write: true };
    const access = await this.experimentAccess(user, exp);
    if (access === 'owner') return { run, exp, write: true };
    if (access === 'shared') return { run, exp, write: false };
    throw notFound;
  }

  /** A run the caller may write: 404 when invisible, 403 when only readable or outside a step token's run. */
  async writableRun(caller: Caller, runUuid: string): Promise<{ run: RunRow; exp: ExperimentRow }> {
    const found = await this.readableRun(caller.user, runUuid);
    if (!found.write || (caller.onlyRun !== undefined && caller.onlyRun !== runUuid)) {
      throw new MlflowError('PERMISSION_DENIED', `Permission denied to write run ${runUuid}`);
    }
    return found;
  }

  /**
   * `where` fragment limiting runs (alias r) to the ones the user sees in the given experiments;
   * throws 404 for an experiment the user cannot see.
   */
  async runScope(user: string, ids: number[]): Promise<{ clause: string; params: (string | number)[] }> {
    const full: number[] = [];
    const own: number[] = [];
    for (const id of ids) {
      const { access } = await this.visibleExperiment(user, id);
      (access === 'own-runs' ? own : full).push(id);
    }
    const parts: string[] = [];
    const params: (string | number)[] = [];
    if (full.length) {
      parts.push(`r.experiment_id in (${full.map(() => '?').join(', ')})`);
      params.push(...full);
    }
    if (own.length) {
      parts.push(`(r.experiment_id in (${own.map(() => '?').join(', ')}) and r.owner = ?)`);
      params.push(...own, user);
    }
    return { clause: parts.length ? `(${parts.join(' or ')})` : '1 = 0', params };
  }
}
