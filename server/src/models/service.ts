import type { Kysely } from 'kysely';
import { MlflowError } from '../tracking/mlflow/errors';
import type { Database } from '../store/database';
import { latestPerStage, modelJson, versionJson, type MlflowModelVersion, type MlflowRegisteredModel } from './entities';
import { compareBy, matches, maxResults, pageOffset, pageToken, parseFilter, parseOrderBy } from './filter';
import * as check from './names';
import { isUniqueViolation, ModelQueries, type ModelRow, type VersionRow } from './queries';
import { RunLookup, type RunReader } from './runs';

export interface SearchArgs {
  filter?: unknown;
  max_results?: unknown;
  order_by?: unknown;
  page_token?: unknown;
}

const MODEL_KEYS = ['name'] as const;
const MODEL_ORDER = ['name', 'creation_timestamp', 'last_updated_timestamp', 'timestamp'];
const VERSION_KEYS = ['name', 'run_id', 'source_path', 'version_number'] as const;
const VERSION_ORDER = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp', 'timestamp'];

/**
 * The model registry with MLflow's semantics. Models are owned; names are unique per owner and a
 * name resolves to the caller's own model first, then to one shared with them. Only owners write;
 * a model the caller cannot see answers RESOURCE_DOES_NOT_EXIST, never revealing that it exists.
 */
export class ModelService {
  readonly q: ModelQueries;
  readonly runs: RunLookup;

  constructor(deps: { db: Kysely<Database>; runs: RunReader; now?: () => number }) {
    this.q = new ModelQueries(deps.db);
    this.runs = new RunLookup(deps.runs);
    this.now = deps.now ?? Date.now;
  }

  private readonly now: () => number;

  async resolve(user: string, name: unknown): Promise<ModelRow> {
    const model = await this.q.findVisible(user, check.modelName(name));
    if (!model) throw MlflowError.notFound(`Registered Model with name=${String(name)} not found`);
    return model;
  }

  async writable(user: string, name: unknown): Promise<ModelRow> {
    const model = await this.resolve(user, name);
    if (model.owner !== user) {
      throw new MlflowError('PERMISSION_DENIED', `Registered model '${model.name}' belongs to ${model.owner}; only its owner can change it.`);
    }
    return model;
  }

  async liveVersion(model: ModelRow, version: unknown): Promise<VersionRow> {
    const n = check.versionNumber(version);
    const row = await this.q.version(model.id, n);
    if (!row) throw MlflowError.notFound(`Model Version (name=${model.name}, version=${n}) not found`);
    return row;
  }

  /** MLflow JSON for versions of (possibly several) models. */
  async versionsJson(models: ModelRow[], rows: VersionRow[]): Promise<MlflowModelVersion[]> {
    const ids = [...new Set(rows.map(r => r.model_id))];
    const [tags, aliases] = await Promise.all([this.q.versionTags(ids), this.q.aliases(ids)]);
    const byId = new Map(models.map(m => [m.id, m]));
    return rows.map(r =>
      versionJson(
        byId.get(r.model_id)!,
        r,
        tags.get(`${r.model_id}/${r.version}`) ?? [],
        (aliases.get(r.model_id) ?? []).filter(a => a.version === r.version).map(a => a.alias)
      )
    );
  }

  async modelsJson(models: ModelRow[]): Promise<MlflowRegisteredModel[]> {
    const ids = models.map(m => m.id);
    const [tags, aliases, versions] = await Promise.all([this.q.tags(ids), this.q.aliases(ids), this.q.versions(ids)]);
    const latest = await this.versionsJson(models, models.flatMap(m => latestPerStage(versions.filter(v => v.model_id === m.id))));
    return models.map(m =>
      modelJson(
        m,
        latest.filter(v => v.name === m.name),
        tags.get(m.id) ?? [],
        aliases.get(m.id) ?? []
      )
    );
  }

  async modelJson(model: ModelRow): Promise<MlflowRegisteredModel> {
    return (await this.modelsJson([model]))[0];
  }

  // Registered models

  async createModel(user: string, body: { name?: unknown; description?: unknown; tags?: unknown }): Promise<MlflowRegisteredModel> {
    const name = check.modelName(body.name);
    const description = check.description(body.description);
    const tags = check.tagList(body.tags);
    try {
      return await this.modelJson(await this.q.insertModel(user, name, description, this.now(), tags));
    } catch (err) {
      if (isUniqueViolation(err)) throw MlflowError.exists(`Registered Model (name=${name}) already exists.`);
      throw err;
    }
  }

  async getModel(user: string, name: unknown): Promise<MlflowRegisteredModel> {
    return this.modelJson(await this.resolve(user, name));
  }

  async renameModel(user: string, name: unknown, newName: unknown): Promise<MlflowRegisteredModel> {
    const model = await this.writable(user, name);
    const to = check.modelName(newName, 'new_name');
    try {
      await this.q.db.updateTable('registered_models').set({ name: to, last_updated_timestamp: this.now() }).where('id', '=', model.id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw MlflowError.exists(`Registered Model (name=${to}) already exists.`);
      throw err;
    }
    return this.getModel(user, to);
  }

  async updateModel(user: string, name: unknown, description: unknown): Promise<MlflowRegisteredModel> {
    const model = await this.writable(user, name);
    await this.q.db
      .updateTable('registered_models')
      .set({ description: check.description(description), last_updated_timestamp: this.now() })
      .where('id', '=', model.id)
      .execute();
    return this.getModel(user, model.name);
  }

  async deleteModel(user: string, name: unknown): Promise<void> {
    const model = await this.writable(user, name);
    await this.q.db.transaction().execute(async trx => {
      await trx.deleteFrom('model_version_tags').where('model_id', '=', model.id).execute();
      await trx.deleteFrom('registered_models').where('id', '=', model.id).execute();
    });
  }

  async searchModels(user: string, args: SearchArgs): Promise<{ registered_models: MlflowRegisteredModel[]; next_page_token?: string }> {
    const clauses = parseFilter(typeof args.filter === 'string' ? args.filter : undefined, MODEL_KEYS);
    const limit = maxResults(args.max_results, 100, 1000);
    const order = [...parseOrderBy(args.order_by, MODEL_ORDER), { key: 'name', desc: false }];
    const offset = pageOffset(args.page_token);
    const models = await this.q.listVisible(user);
    const tags = await this.q.tags(models.map(m => m.id));
    const found = models
      .filter(m => matches(clauses, { name: m.name, ...tagRow(tags.get(m.id)) }))
      .sort(compareBy(order, (m, k) => (k === 'name' ? m.name : k === 'creation_timestamp' ? m.creation_timestamp : m.last_updated_timestamp)));
    const page = found.slice(offset, offset + limit);
    return {
      registered_models: await this.modelsJson(page),
      ...(offset + limit < found.length ? { next_page_token: pageToken(offset + limit) } : {})
    };
  }

  async latestVersions(user: string, name: unknown, stages: unknown): Promise<MlflowModelVersion[]> {
    const model = await this.resolve(user, name);
    const wanted = stages === undefined ? [] : (Array.isArray(stages) ? stages : [stages]).map(check.stageName);
    return this.versionsJson([model], latestPerStage(await this.q.versions([model.id]), wanted));
  }

  async setModelTag(user: string, name: unknown, key: unknown, value: unknown): Promise<void> {
    const model = await this.writable(user, name);
    const row = { model_id: model.id, key: check.tagKey(key), value: check.tagValue(value) };
    await this.q.db
      .insertInto('registered_model_tags')
      .values(row)
      .onConflict(oc => oc.columns(['model_id', 'key']).doUpdateSet({ value: row.value }))
      .execute();
  }

  async deleteModelTag(user: string, name: unknown, key: unknown): Promise<void> {
    const model = await this.writable(user, name);
    const res = await this.q.db.deleteFrom('registered_model_tags').where('model_id', '=', model.id).where('key', '=', check.tagKey(key)).executeTakeFirst();
    if (!Number(res.numDeletedRows)) throw MlflowError.notFound(`No tag with key '${String(key)}' on registered model '${model.name}'.`);
  }

  // Aliases

  async setAlias(user: string, name: unknown, alias: unknown, version: unknown): Promise<void> {
    const model = await this.writable(user, name);
    const a = check.aliasName(alias);
    const v = await this.liveVersion(model, version);
    await this.q.db
      .insertInto('registered_model_aliases')
      .values({ model_id: model.id, alias: a, version: v.version })
      .onConflict(oc => oc.columns(['model_id', 'alias']).doUpdateSet({ version: v.version }))
      .execute();
    await this.q.touch(this.q.db, model.id, this.now());
  }

  async deleteAlias(user: string, name: unknown, alias: unknown): Promise<void> {
    const model = await this.writable(user, name);
    await this.q.db.deleteFrom('registered_model_aliases').where('model_id', '=', model.id).where('alias', '=', check.aliasName(alias)).execute();
  }

  async versionByAlias(user: string, name: unknown, alias: unknown): Promise<MlflowModelVersion> {
    const model = await this.resolve(user, name);
    const a = check.aliasName(alias);
    const row = await this.q.db.selectFrom('registered_model_aliases').select('version').where('model_id', '=', model.id).where('alias', '=', a).executeTakeFirst();
    const version = row && (await this.q.version(model.id, Number(row.version)));
    if (!version) throw MlflowError.notFound(`Registered model alias ${a} not found.`);
    return (await this.versionsJson([model], [version]))[0];
  }

  async share(user: string, name: unknown, users: string[]): Promise<void> {
    const model = await this.writable(user, name);
    await this.q.setShares(model.id, [...new Set(users)].filter(u => u !== user));
  }

  /**
   * Live versions registered from one run, of the models the caller can see, by model name then
   * newest version first (for the run detail of the Experiments panel).
   */
  async versionsOfRun(user: string, runId: string): Promise<{ name: string; version: number; aliases: string[]; status: string }[]> {
    const models = await this.q.listVisible(user);
    if (!models.length) return [];
    const rows = await this.q.db
      .selectFrom('model_versions')
      .selectAll()
      .where('run_id', '=', runId)
      .where('model_id', 'in', models.map(m => m.id))
      .where('deleted', '=', 0)
      .execute();
    const byId = new Map(models.map(m => [m.id, m]));
    const aliases = await this.q.aliases([...new Set(rows.map(r => r.model_id))]);
    return rows
      .map(r => ({
        name: byId.get(r.model_id)!.name,
        version: Number(r.version),
        aliases: (aliases.get(r.model_id) ?? []).filter(a => Number(a.version) === Number(r.version)).map(a => a.alias),
        status: r.status
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
  }

  /** The clock versions.ts stamps versions with. */
  readonly clock = (): number => this.now();
}

function tagRow(tags: { key: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map(t => [`tags.${t.key}`, t.value]));
}

export { tagRow, VERSION_KEYS, VERSION_ORDER };
