import { MlflowError } from '../tracking/mlflow/errors';
import type { MlflowModelVersion } from './entities';
import { compareBy, matches, maxResults, pageOffset, pageToken, parseFilter, parseOrderBy } from './filter';
import * as check from './names';
import type { ModelRow, VersionRow } from './queries';
import { tagRow, VERSION_KEYS, VERSION_ORDER, type ModelService, type SearchArgs } from './service';

export interface CreateVersion {
  name?: unknown;
  source?: unknown;
  run_id?: unknown;
  tags?: unknown;
  run_link?: unknown;
  description?: unknown;
  model_id?: unknown;
}

const str = (v: unknown, field: string): string => {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw MlflowError.invalid(`Parameter '${field}' must be a string.`);
  return v;
};

/** Model versions: registered from a run the caller can read, numbered 1, 2, … per model. */
export class VersionService {
  constructor(private readonly models: ModelService) {}

  private get q() {
    return this.models.q;
  }

  private async one(model: ModelRow, row: VersionRow): Promise<MlflowModelVersion> {
    return (await this.models.versionsJson([model], [row]))[0];
  }

  /**
   * The source's run (checked readable by the caller) and logged model: the run id and logged
   * model id to record. A logged model's source (`models:/m-<id>`, its artifact location) gives
   * its source run when the client names none.
   */
  private async checkSource(user: string, source: string, runId: string, modelId: string): Promise<{ runId: string; modelId: string }> {
    if (!source) throw MlflowError.invalid("Missing value for required parameter 'source'.");
    if (source.split(/[/\\]/).includes('..')) throw MlflowError.invalid(`Invalid model version source '${source}': '..' is not allowed.`);
    const logged = check.parseLoggedModelUri(source);
    if (logged) {
      if (modelId && modelId !== logged.modelId) throw MlflowError.invalid(`Invalid model version source '${source}': it is not logged model ${modelId}.`);
      const model = await this.models.runs.loggedModel(user, logged.modelId);
      if (runId && model.source_run_id && runId !== model.source_run_id) {
        throw MlflowError.invalid(`Invalid model version source '${source}': it was not logged by run ${runId}.`);
      }
      const sourceRun = runId || model.source_run_id;
      if (sourceRun) await this.models.runs.require(user, sourceRun);
      return { runId: sourceRun, modelId: model.model_id };
    }
    const fromRuns = check.parseRunsUri(source);
    const fromArtifacts = check.parseArtifactsUri(source);
    const sourceRun = fromRuns?.runId ?? fromArtifacts?.runId;
    if (!sourceRun) {
      throw MlflowError.invalid(
        `Invalid model version source '${source}': register from a run or a logged model, 'runs:/<run_id>/<path>', 'models:/<model_id>' or 'mlflow-artifacts:/<experiment>/<run_id>/artifacts/<path>'.`
      );
    }
    if (runId && runId !== sourceRun) {
      throw MlflowError.invalid(`Invalid model version source '${source}': it is not in the artifacts of run ${runId}.`);
    }
    await this.models.runs.require(user, sourceRun);
    if (modelId) await this.models.runs.loggedModel(user, modelId);
    return { runId: sourceRun, modelId };
  }

  /** `onlyRun`: the caller is a step token, which may register its own run only. */
  async create(user: string, body: CreateVersion, onlyRun?: string): Promise<MlflowModelVersion> {
    const model = await this.models.writable(user, body.name);
    const source = str(body.source, 'source');
    const { runId, modelId } = await this.checkSource(user, source, str(body.run_id, 'run_id'), str(body.model_id, 'model_id'));
    if (onlyRun && runId !== onlyRun) {
      throw new MlflowError('PERMISSION_DENIED', `A step may register a model from its own run (${onlyRun}) only.`);
    }
    const now = this.models.clock();
    const version = await this.q.insertVersion(
      {
        model_id: model.id,
        source,
        run_id: runId,
        run_link: str(body.run_link, 'run_link'),
        logged_model_id: modelId,
        status: 'READY',
        status_message: '',
        current_stage: 'None',
        description: check.description(body.description),
        user_id: user,
        creation_timestamp: now,
        last_updated_timestamp: now
      },
      check.tagList(body.tags)
    );
    if (modelId) await this.models.runs.recordRegistration(modelId, model.name, version);
    return this.get(user, model.name, version);
  }

  async get(user: string, name: unknown, version: unknown): Promise<MlflowModelVersion> {
    const model = await this.models.resolve(user, name);
    return this.one(model, await this.models.liveVersion(model, version));
  }

  async update(user: string, name: unknown, version: unknown, description: unknown): Promise<MlflowModelVersion> {
    const model = await this.models.writable(user, name);
    const row = await this.models.liveVersion(model, version);
    const now = this.models.clock();
    await this.q.db
      .updateTable('model_versions')
      .set({ description: check.description(description), last_updated_timestamp: now })
      .where('model_id', '=', model.id)
      .where('version', '=', row.version)
      .execute();
    return this.get(user, model.name, row.version);
  }

  async transition(user: string, name: unknown, version: unknown, stage: unknown, archiveExisting: unknown): Promise<MlflowModelVersion> {
    const model = await this.models.writable(user, name);
    const row = await this.models.liveVersion(model, version);
    const to = check.stageName(stage);
    const archive = archiveExisting === true || archiveExisting === 'true';
    const now = this.models.clock();
    await this.q.db.transaction().execute(async trx => {
      if (archive && (to === 'Staging' || to === 'Production')) {
        await trx
          .updateTable('model_versions')
          .set({ current_stage: 'Archived', last_updated_timestamp: now })
          .where('model_id', '=', model.id)
          .where('current_stage', '=', to)
          .where('deleted', '=', 0)
          .execute();
      }
      await trx
        .updateTable('model_versions')
        .set({ current_stage: to, last_updated_timestamp: now })
        .where('model_id', '=', model.id)
        .where('version', '=', row.version)
        .execute();
      await this.q.touch(trx, model.id, now);
    });
    return this.get(user, model.name, row.version);
  }

  /** A deleted version keeps its number (never reused) and loses its aliases. */
  async delete(user: string, name: unknown, version: unknown): Promise<void> {
    const model = await this.models.writable(user, name);
    const row = await this.models.liveVersion(model, version);
    const now = this.models.clock();
    await this.q.db.transaction().execute(async trx => {
      await trx.deleteFrom('registered_model_aliases').where('model_id', '=', model.id).where('version', '=', row.version).execute();
      await trx
        .updateTable('model_versions')
        .set({ deleted: 1, last_updated_timestamp: now })
        .where('model_id', '=', model.id)
        .where('version', '=', row.version)
        .execute();
      await this.q.touch(trx, model.id, now);
    });
  }

  async downloadUri(user: string, name: unknown, version: unknown): Promise<string> {
    const model = await this.models.resolve(user, name);
    const row = await this.models.liveVersion(model, version);
    const logged = /^models:/.test(row.source) ? check.parseLoggedModelUri(row.source) : null;
    if (logged) return (await this.models.runs.loggedModel(user, logged.modelId)).artifact_location;
    const runs = check.parseRunsUri(row.source);
    if (!runs) return row.source;
    const run = await this.models.runs.require(user, runs.runId);
    const root = (run.info.artifact_uri ?? '').replace(/\/+$/, '');
    return runs.path ? `${root}/${runs.path}` : root;
  }

  async setTag(user: string, name: unknown, version: unknown, key: unknown, value: unknown): Promise<void> {
    const model = await this.models.writable(user, name);
    const row = await this.models.liveVersion(model, version);
    const tag = { model_id: model.id, version: row.version, key: check.tagKey(key), value: check.tagValue(value) };
    await this.q.db
      .insertInto('model_version_tags')
      .values(tag)
      .onConflict(oc => oc.columns(['model_id', 'version', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  }

  async deleteTag(user: string, name: unknown, version: unknown, key: unknown): Promise<void> {
    const model = await this.models.writable(user, name);
    const row = await this.models.liveVersion(model, version);
    const res = await this.q.db
      .deleteFrom('model_version_tags')
      .where('model_id', '=', model.id)
      .where('version', '=', row.version)
      .where('key', '=', check.tagKey(key))
      .executeTakeFirst();
    if (!Number(res.numDeletedRows)) {
      throw MlflowError.notFound(`No tag with key '${String(key)}' on model version (name=${model.name}, version=${row.version}).`);
    }
  }

  async search(user: string, args: SearchArgs): Promise<{ model_versions: MlflowModelVersion[]; next_page_token?: string }> {
    const clauses = parseFilter(typeof args.filter === 'string' ? args.filter : undefined, VERSION_KEYS);
    const limit = maxResults(args.max_results, 10_000, 200_000);
    const order = [...parseOrderBy(args.order_by, VERSION_ORDER), { key: 'name', desc: false }, { key: 'version_number', desc: true }];
    const offset = pageOffset(args.page_token);
    const models = await this.q.listVisible(user);
    const byId = new Map(models.map(m => [m.id, m]));
    const rows = await this.q.versions(models.map(m => m.id));
    const tags = await this.q.versionTags(models.map(m => m.id));
    const found = rows
      .filter(v =>
        matches(clauses, {
          name: byId.get(v.model_id)!.name,
          run_id: v.run_id,
          source_path: v.source,
          version_number: String(v.version),
          ...tagRow(tags.get(`${v.model_id}/${v.version}`))
        })
      )
      .sort(
        compareBy(order, (v, k) =>
          k === 'name'
            ? byId.get(v.model_id)!.name
            : k === 'version_number'
              ? v.version
              : k === 'creation_timestamp'
                ? v.creation_timestamp
                : v.last_updated_timestamp
        )
      );
    const page = found.slice(offset, offset + limit);
    return {
      model_versions: await this.models.versionsJson(models, page),
      ...(offset + limit < found.length ? { next_page_token: pageToken(offset + limit) } : {})
    };
  }
}
