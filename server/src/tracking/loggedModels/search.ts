import { compareBy, matches, maxResults, pageOffset, pageToken, parseFilter } from '../../models/filter';
import type { AccessRules } from '../access';
import { checkExperimentId } from '../limits';
import { MlflowError } from '../mlflow/errors';
import { toRow, type LoggedModels, type MlflowLoggedModel } from './service';

/** Attributes a logged-models filter and order_by may name (MLflow's SearchLoggedModelsUtils). */
const KEYS = ['name', 'model_id', 'status', 'source_run_id', 'model_type', 'creation_timestamp', 'last_updated_timestamp', 'creation_time', 'last_updated_time'];
const ORDER_KEYS = ['name', 'model_id', 'status', 'source_run_id', 'model_type', 'creation_timestamp', 'last_updated_timestamp'];

function orderOf(value: unknown): { key: string; desc: boolean }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw MlflowError.invalid("Invalid value for parameter 'order_by': it must be a list");
  return value.map(item => {
    const o = (item ?? {}) as { field_name?: unknown; ascending?: unknown };
    const key = typeof o.field_name === 'string' ? o.field_name.replace(/^(?:attributes?|attr)\./, '') : '';
    if (!ORDER_KEYS.includes(key)) {
      throw MlflowError.invalid(`Invalid order_by field '${String(o.field_name)}': one of ${ORDER_KEYS.join(', ')}.`);
    }
    return { key, desc: o.ascending === false || o.ascending === 'false' };
  });
}

/**
 * `logged-models/search`: live models of the given experiments the caller can see (an experiment
 * they cannot see → 404, as search_runs), filtered by attributes and `tags.<key>` with the
 * registry's grammar, ordered, paged. Newest first by default.
 */
export async function searchLoggedModels(
  models: LoggedModels,
  access: AccessRules,
  user: string,
  body: Record<string, unknown>
): Promise<{ models: MlflowLoggedModel[]; next_page_token?: string }> {
  const rawIds = body.experiment_ids === undefined ? [] : body.experiment_ids;
  if (!Array.isArray(rawIds)) throw MlflowError.invalid("Invalid value for parameter 'experiment_ids': it must be a list");
  if (!rawIds.length) throw MlflowError.invalid("Missing value for required parameter 'experiment_ids'.");
  if (Array.isArray(body.datasets) && body.datasets.length) {
    throw MlflowError.invalid('Searching logged models by dataset metrics is not supported by this server.');
  }
  const filter = typeof body.filter === 'string' ? body.filter : undefined;
  const clauses = parseFilter(filter, KEYS).map(c =>
    c.key === 'creation_time' ? { ...c, key: 'creation_timestamp' } : c.key === 'last_updated_time' ? { ...c, key: 'last_updated_timestamp' } : c
  );
  const limit = maxResults(body.max_results, 100, 1000);
  const offset = pageOffset(body.page_token);
  const order = [...orderOf(body.order_by), { key: 'creation_timestamp', desc: true }, { key: 'model_id', desc: false }];

  const { clause, params } = await access.runScope(
    user,
    rawIds.map(id => checkExperimentId(id))
  );
  // runScope speaks of runs (alias r): the same rule holds for models, owned by their creator.
  const all = (await models.sql.all(`select r.* from logged_models r where r.lifecycle_stage = 'active' and ${clause}`, params)).map(toRow);
  const ids = all.map(m => m.model_id);
  const tags = new Map<string, Record<string, string>>();
  if (ids.length) {
    const found = await models.sql.all<{ model_id: string; key: string; value: string }>(
      `select model_id, key, value from logged_model_tags where model_id in (${ids.map(() => '?').join(', ')})`,
      ids
    );
    for (const t of found) tags.set(t.model_id, { ...(tags.get(t.model_id) ?? {}), [`tags.${t.key}`]: t.value });
  }
  const numeric = (k: string) => k === 'creation_timestamp' || k === 'last_updated_timestamp';
  const hits = all
    .filter(m =>
      matches(
        clauses.filter(c => !numeric(c.key)),
        { name: m.name, model_id: m.model_id, status: m.status, source_run_id: m.source_run_id, model_type: m.model_type, ...(tags.get(m.model_id) ?? {}) }
      )
    )
    .filter(m =>
      clauses
        .filter(c => numeric(c.key))
        .every(c => {
          const v = c.key === 'creation_timestamp' ? m.creation_timestamp_ms : m.last_updated_timestamp_ms;
          const x = Number(c.value);
          if (!Number.isFinite(x)) throw MlflowError.invalid(`Invalid filter: '${c.key}' compares with a number.`);
          return c.op === '=' ? v === x : c.op === '!=' ? v !== x : c.op === '<' ? v < x : c.op === '<=' ? v <= x : c.op === '>' ? v > x : c.op === '>=' ? v >= x : false;
        })
    )
    .sort(
      compareBy(order, (m, k) =>
        k === 'creation_timestamp'
          ? m.creation_timestamp_ms
          : k === 'last_updated_timestamp'
            ? m.last_updated_timestamp_ms
            : String((m as unknown as Record<string, unknown>)[k] ?? '')
      )
    );
  const page = hits.slice(offset, offset + limit);
  return {
    models: await models.toMlflow(page),
    ...(offset + limit < hits.length ? { next_page_token: pageToken(offset + limit) } : {})
  };
}
