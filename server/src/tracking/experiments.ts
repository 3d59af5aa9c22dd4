import { AccessRules, toExperimentRow, type ExperimentRow } from './access';
import { checkKey, checkValue, LIMITS, noNul } from './limits';
import { MlflowError } from './mlflow/errors';
import { list, num, type Sql } from './sql';
import type { Access, LifecycleStage, MlflowExperiment } from './types';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw MlflowError.invalid("Missing value for required parameter 'name'.");
  }
  if (name.length > LIMITS.experimentName) {
    throw MlflowError.invalid(`Experiment name exceeds the maximum length of ${LIMITS.experimentName} characters.`);
  }
  return noNul(name, 'name');
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed|PRIMARY KEY/i.test(String(e?.code ?? '') + String(e?.message ?? ''));
}

/** Experiments: MLflow's CRUD with per-owner names, tags and Conveyor's shares. */
export class Experiments {
  constructor(
    private readonly sql: Sql,
    private readonly access: AccessRules
  ) {}

  async toMlflow(exp: ExperimentRow): Promise<MlflowExperiment> {
    const tags = await this.sql.all<{ key: string; value: string }>('select key, value from experiment_tags where experiment_id = ? order by key', [exp.experiment_id]);
    return {
      experiment_id: String(exp.experiment_id),
      name: exp.name,
      artifact_location: exp.artifact_location,
      lifecycle_stage: exp.lifecycle_stage as LifecycleStage,
      creation_time: exp.creation_time,
      last_update_time: exp.last_update_time,
      tags
    };
  }

  /** Creates an experiment owned by `owner`; RESOURCE_ALREADY_EXISTS when the owner has that name. */
  async create(owner: string, name: unknown, tags: { key: string; value: string }[] = [], artifactLocation?: unknown): Promise<string> {
    const checked = checkName(name);
    if (artifactLocation !== undefined && artifactLocation !== '' && artifactLocation !== null) {
      throw MlflowError.invalid('artifact_location is chosen by the server; leave it empty');
    }
    const checkedTags = tags.map((t, i) => ({ key: checkKey(t?.key, `tags[${i}].key`), value: checkValue(t?.value ?? '', LIMITS.experimentTagValue, `tags[${i}].value`) }));
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sql.tx(async sql => {
          const taken = await sql.all('select 1 as x from experiments where owner = ? and name = ?', [owner, checked]);
          if (taken.length || (checked === 'Default' && owner === '')) {
            throw MlflowError.exists(`Experiment '${checked}' already exists.`);
          }
          const [{ next }] = await sql.all<{ next: unknown }>('select coalesce(max(experiment_id), 0) + 1 as next from experiments');
          const id = num(next);
          const now = Date.now();
          await sql.run(
            'insert into experiments (experiment_id, owner, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (?, ?, ?, ?, ?, ?, ?)',
            [id, owner, checked, `mlflow-artifacts:/${id}`, 'active', now, now]
          );
          for (const t of checkedTags) {
            await sql.run('insert into experiment_tags (experiment_id, key, value) values (?, ?, ?) on conflict (experiment_id, key) do update set value = excluded.value', [id, t.key, t.value]);
          }
          return String(id);
        });
      } catch (err) {
        if (attempt < 3 && !(err instanceof MlflowError) && isUniqueViolation(err)) continue;
        if (isUniqueViolation(err)) throw MlflowError.exists(`Experiment '${checked}' already exists.`);
        throw err;
      }
    }
  }

  /** Get-or-create by name for `owner` (pipeline steps, set_experiment). */
  async ensure(owner: string, name: string): Promise<string> {
    const rows = await this.sql.all('select experiment_id, lifecycle_stage from experiments where owner = ? and name = ?', [owner, name]);
    if (rows[0]) {
      if (rows[0].lifecycle_stage === 'deleted') {
        await this.sql.run('update experiments set lifecycle_stage = ?, last_update_time = ? where experiment_id = ?', ['active', Date.now(), num(rows[0].experiment_id)]);
      }
      return String(num(rows[0].experiment_id));
    }
    try {
      return await this.create(owner, name);
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') return this.ensure(owner, name);
      throw err;
    }
  }

  /** The caller's own experiment of that name, else one shared with them, else Default by name. */
  async getByName(user: string, name: unknown): Promise<MlflowExperiment> {
    const checked = checkName(name);
    const own = await this.sql.all('select * from experiments where owner = ? and name = ?', [user, checked]);
    if (own[0]) return this.toMlflow(toExperimentRow(own[0]));
    const shared = await this.sql.all(
      `select e.* from experiments e join experiment_shares s on s.experiment_id = e.experiment_id
       where e.name = ? and (s."user" = ? or s."user" = ? or e.experiment_id = 0) order by e.experiment_id limit 1`,
      [checked, user, '*']
    );
    if (shared[0]) return this.toMlflow(toExperimentRow(shared[0]));
    if (checked === 'Default') return this.toMlflow((await this.access.experiment(0))!);
    throw MlflowError.notFound(`Could not find experiment with name '${checked}'`);
  }

  async get(user: string, id: number): Promise<MlflowExperiment> {
    const { exp } = await this.access.visibleExperiment(user, id);
    return this.toMlflow(exp);
  }

  private async owned(user: string, id: number): Promise<ExperimentRow> {
    const { exp, access } = await this.access.visibleExperiment(user, id);
    if (access !== 'owner') throw new MlflowError('PERMISSION_DENIED', `Permission denied to modify experiment ${id}`);
    return exp;
  }

  async rename(user: string, id: number, name: unknown): Promise<void> {
    const checked = checkName(name);
    const exp = await this.owned(user, id);
    const taken = await this.sql.all('select 1 as x from experiments where owner = ? and name = ? and experiment_id <> ?', [exp.owner, checked, id]);
    if (taken.length) throw MlflowError.exists(`Experiment '${checked}' already exists.`);
    await this.sql.run('update experiments set name = ?, last_update_time = ? where experiment_id = ?', [checked, Date.now(), id]);
  }

  async setLifecycle(user: string, id: number, stage: LifecycleStage): Promise<void> {
    if (id === 0) throw MlflowError.invalid('Cannot delete or restore the Default experiment');
    await this.owned(user, id);
    const now = Date.now();
    await this.sql.tx(async sql => {
      await sql.run('update experiments set lifecycle_stage = ?, last_update_time = ? where experiment_id = ?', [stage, now, id]);
      await sql.run('update tracked_runs set lifecycle_stage = ?, deleted_time = ? where experiment_id = ?', [stage, stage === 'deleted' ? now : null, id]);
    });
  }

  async setTag(user: string, id: number, key: unknown, value: unknown): Promise<void> {
    const k = checkKey(key);
    const v = checkValue(value ?? '', LIMITS.experimentTagValue, 'value');
    await this.owned(user, id);
    await this.sql.run('insert into experiment_tags (experiment_id, key, value) values (?, ?, ?) on conflict (experiment_id, key) do update set value = excluded.value', [id, k, v]);
  }

  async deleteTag(user: string, id: number, key: unknown): Promise<void> {
    const k = checkKey(key);
    await this.owned(user, id);
    await this.sql.run('delete from experiment_tags where experiment_id = ? and key = ?', [id, k]);
  }

  /** Every experiment the user sees, with the access level. */
  async visible(user: string, view: ViewType = 'ACTIVE_ONLY'): Promise<{ exp: ExperimentRow; access: Access }[]> {
    const rows = await this.sql.all(
      `select e.*, case when e.owner = ? then 'owner' when exists (select 1 from experiment_shares s where s.experiment_id = e.experiment_id and (s."user" = ? or s."user" = ?)) then 'shared' else 'own-runs' end as access
       from experiments e
       where e.owner = ? or e.experiment_id = 0 or exists (select 1 from experiment_shares s where s.experiment_id = e.experiment_id and (s."user" = ? or s."user" = ?))
       order by e.experiment_id`,
      [user, user, '*', user, user, '*']
    );
    return rows
      .map(r => ({ exp: toExperimentRow(r), access: r.access as Access }))
      .filter(({ exp }) => view === 'ALL' || (view === 'ACTIVE_ONLY') === (exp.lifecycle_stage === 'active'));
  }

  async shares(ids: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (!ids.length) return out;
    const rows = await this.sql.all<{ experiment_id: unknown; user: string }>(`select experiment_id, "user" from experiment_shares where experiment_id in (${list(ids.length)}) order by "user"`, ids);
    for (const r of rows) {
      const id = num(r.experiment_id);
      out.set(id, [...(out.get(id) ?? []), r.user]);
    }
    return out;
  }

  /** Replaces who the experiment is shared with (owner only). */
  async setShares(user: string, id: number, users: string[]): Promise<string[]> {
    await this.owned(user, id);
    const unique = [...new Set(users)].filter(u => u !== user).sort();
    await this.sql.tx(async sql => {
      await sql.run('delete from experiment_shares where experiment_id = ?', [id]);
      for (const u of unique) {
        await sql.run('insert into experiment_shares (experiment_id, "user") values (?, ?) on conflict do nothing', [id, u]);
      }
    });
    return unique;
  }
}
