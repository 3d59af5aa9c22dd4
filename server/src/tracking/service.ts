import type { Store } from '../store/store';
import { AccessRules } from './access';
import { Experiments } from './experiments';
import { checkKeyValue, checkMetric, LIMITS } from './limits';
import { LoggedModels } from './loggedModels/service';
import { MlflowError } from './mlflow/errors';
import { Runs, type CreateRun } from './runs';
import { RunSearch } from './search';
import { num, openSql, type Sql } from './sql';
import type { MlflowRun, RunStatus } from './types';

export interface LooseBatch {
  metrics?: { key: string; value: number | string; timestamp?: number; step?: number }[];
  params?: { key: string; value: string | number | boolean }[];
  tags?: { key: string; value: string }[];
}

/** Artifact paths: relative, "/"-separated, no "." or ".." segments, ≤ 1000 bytes. */
export function checkArtifactPath(path: string): string {
  const clean = path.replace(/^\/+/, '');
  const segments = clean.split('/');
  if (clean === '' || Buffer.byteLength(clean) > 1000 || segments.some(s => s === '' || s === '.' || s === '..') || clean.includes('\0')) {
    throw MlflowError.invalid(`Invalid artifact path ${JSON.stringify(path)}`);
  }
  return clean;
}

/**
 * Experiment tracking: experiments, tracked runs, params/metrics/tags with MLflow's semantics,
 * search, artifacts by name and per-step tokens. Used by the MLflow routes, Conveyor's
 * /experiments routes, the pipeline integration and the model registry.
 */
export class TrackingService {
  readonly sql: Sql;
  readonly access: AccessRules;
  readonly experiments: Experiments;
  readonly runs: Runs;
  readonly search: RunSearch;
  /** MLflow 3 logged models (loggedModels/). */
  readonly loggedModels: LoggedModels;

  constructor(store: Store) {
    this.sql = openSql(store);
    this.access = new AccessRules(this.sql);
    this.experiments = new Experiments(this.sql, this.access);
    this.runs = new Runs(this.sql, this.access);
    this.search = new RunSearch(this.sql, this.access);
    this.loggedModels = new LoggedModels(this.sql, this.access);
  }

  ensureExperiment(owner: string, name: string): Promise<string> {
    return this.experiments.ensure(owner, name);
  }

  async createRun(a: CreateRun): Promise<{ runUuid: string; artifactUri: string }> {
    const run = await this.runs.create(a);
    return { runUuid: run.run_uuid, artifactUri: run.artifact_uri };
  }

  findStepRun(conveyorRunId: string, step: string): Promise<string | null> {
    return this.runs.findStepRun(conveyorRunId, step);
  }

  /** MLflow semantics, checked values, no access check. */
  async logBatch(runUuid: string, batch: LooseBatch): Promise<void> {
    const now = Date.now();
    await this.runs.logBatch(runUuid, {
      metrics: (batch.metrics ?? []).map((m, i) => checkMetric(m, `metrics[${i}]`, now)),
      params: (batch.params ?? []).map((p, i) => checkKeyValue(p, `params[${i}]`, LIMITS.paramValue)),
      tags: (batch.tags ?? []).map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.tagValue))
    });
  }

  setStatus(runUuid: string, status: RunStatus, endTime?: number): Promise<void> {
    return this.runs.setStatus(runUuid, status, endTime);
  }

  /** Names bytes already in the ArtifactStore as `path` of the run (replacing an earlier one). */
  async putArtifact(runUuid: string, path: string, hash: string, size: number): Promise<void> {
    const clean = checkArtifactPath(path);
    await this.sql.run(
      'insert into tracked_artifacts (run_uuid, path, hash, size, created_at) values (?, ?, ?, ?, ?) on conflict (run_uuid, path) do update set hash = excluded.hash, size = excluded.size, created_at = excluded.created_at',
      [runUuid, clean, hash, size, Date.now()]
    );
  }

  async artifact(runUuid: string, path: string): Promise<{ hash: string; size: number } | undefined> {
    const rows = await this.sql.all('select hash, size from tracked_artifacts where run_uuid = ? and path = ?', [runUuid, path]);
    return rows[0] ? { hash: rows[0].hash as string, size: num(rows[0].size) } : undefined;
  }

  /** Files under `prefix` ("" = the root), one level deep: directories are folded. */
  async listArtifacts(runUuid: string, prefix: string): Promise<{ path: string; is_dir: boolean; file_size?: number }[]> {
    const base = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    const rows = await this.sql.all<{ path: string; size: unknown }>(
      'select path, size from tracked_artifacts where run_uuid = ? and substr(path, 1, ?) = ? order by path',
      [runUuid, base.length, base]
    );
    const out = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
    for (const r of rows) {
      const rest = r.path.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash < 0) out.set(r.path, { path: r.path, is_dir: false, file_size: num(r.size) });
      else {
        const dir = base + rest.slice(0, slash);
        out.set(dir, { path: dir, is_dir: true });
      }
    }
    return [...out.values()];
  }

  async allArtifacts(runUuid: string): Promise<{ path: string; size: number }[]> {
    const rows = await this.sql.all<{ path: string; size: unknown }>('select path, size from tracked_artifacts where run_uuid = ? order by path', [runUuid]);
    return rows.map(r => ({ path: r.path, size: num(r.size) }));
  }

  /** The run if `user` may read it (404 otherwise), in MLflow's shape. */
  async getRun(user: string, runUuid: string): Promise<MlflowRun> {
    const { run } = await this.access.readableRun(user, runUuid);
    return this.runs.mlflowRun(run);
  }

  mintStepToken(owner: string, runUuid: string, ttlSeconds: number): Promise<string> {
    return this.runs.mintStepToken(owner, runUuid, ttlSeconds);
  }

  revokeStepTokens(runUuid: string): Promise<void> {
    return this.runs.revokeStepTokens(runUuid);
  }

  authenticateStepToken(token: string): Promise<{ owner: string; runUuid: string } | null> {
    return this.runs.authenticateStepToken(token);
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
