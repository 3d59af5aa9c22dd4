import { Router } from 'express';
import { FilterError, parseFilter, type Clause } from '../filter';
import { checkExperimentId, checkKeyValue, LIMITS } from '../limits';
import type { TrackingService } from '../service';
import type { MlflowExperiment } from '../types';
import { bodyOf, callerOf, str } from './body';
import { MlflowError } from './errors';

function viewOf(value: unknown): 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' {
  if (value === undefined || value === null || value === '' || value === 'ACTIVE_ONLY' || value === 1 || value === '1') return 'ACTIVE_ONLY';
  if (value === 'DELETED_ONLY' || value === 2 || value === '2') return 'DELETED_ONLY';
  if (value === 'ALL' || value === 3 || value === '3') return 'ALL';
  throw MlflowError.invalid(`Invalid value ${JSON.stringify(value)} for parameter 'view_type' supplied.`);
}

function likeMatch(value: string, pattern: string, insensitive: boolean): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${re}$`, insensitive ? 'is' : 's').test(value);
}

/** Experiment search filters (name, tags, times) evaluated over the caller's visible experiments. */
function matches(exp: MlflowExperiment, c: Clause): boolean {
  let actual: string | number | undefined;
  if (c.kind === 'tag') actual = exp.tags.find(t => t.key === c.key)?.value;
  else if (c.kind === 'attribute' && c.key === 'run_name') actual = exp.name;
  else if (c.kind === 'attribute' && (c.key === 'start_time' || c.key === 'creation_time')) actual = exp.creation_time;
  else if (c.kind === 'attribute' && c.key === 'last_update_time') actual = exp.last_update_time;
  else throw MlflowError.invalid(`Invalid filter for experiments: ${c.kind} ${c.key}`);
  if (c.op === 'IS NULL') return actual === undefined;
  if (c.op === 'IS NOT NULL') return actual !== undefined;
  if (actual === undefined) return false;
  const v = c.value;
  switch (c.op) {
    case '=': return actual === v;
    case '!=': return actual !== v;
    case '<': return actual < (v as string | number);
    case '<=': return actual <= (v as string | number);
    case '>': return actual > (v as string | number);
    case '>=': return actual >= (v as string | number);
    case 'LIKE': return likeMatch(String(actual), String(v), false);
    case 'ILIKE': return likeMatch(String(actual), String(v), true);
    case 'IN': return (v as string[]).includes(String(actual));
    case 'NOT IN': return !(v as string[]).includes(String(actual));
  }
  return false;
}

/** /api/2.0/mlflow/experiments/*. */
export function experimentRoutes(tracking: TrackingService): Router {
  const router = Router();
  const ex = tracking.experiments;

  router.get('/experiments/get-by-name', async (req, res) => {
    res.json({ experiment: await ex.getByName(callerOf(req).user, bodyOf(req).experiment_name) });
  });
  router.post('/experiments/create', async (req, res) => {
    const body = bodyOf(req);
    const caller = callerOf(req);
    if (caller.onlyRun) throw new MlflowError('PERMISSION_DENIED', 'A step token cannot create experiments');
    const tags = Array.isArray(body.tags) ? body.tags.map((t, i) => checkKeyValue(t, `tags[${i}]`, LIMITS.experimentTagValue)) : [];
    res.json({ experiment_id: await ex.create(caller.user, body.name, tags, body.artifact_location) });
  });
  router.get('/experiments/get', async (req, res) => {
    res.json({ experiment: await ex.get(callerOf(req).user, checkExperimentId(bodyOf(req).experiment_id)) });
  });
  const search = async (req: Parameters<Parameters<typeof router.get>[1]>[0], res: Parameters<Parameters<typeof router.get>[1]>[1]): Promise<void> => {
    const body = bodyOf(req);
    const max = body.max_results === undefined ? 1000 : Number(body.max_results);
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.maxResults) throw MlflowError.invalid(`Invalid value ${String(body.max_results)} for parameter 'max_results' supplied.`);
    let clauses: Clause[];
    try {
      clauses = parseFilter(typeof body.filter === 'string' ? body.filter : undefined);
    } catch (err) {
      if (err instanceof FilterError) throw MlflowError.invalid(`Invalid filter: ${err.message}`);
      throw err;
    }
    const visible = await ex.visible(callerOf(req).user, viewOf(body.view_type));
    let list = await Promise.all(visible.map(v => ex.toMlflow(v.exp)));
    list = list.filter(e => clauses.every(c => matches(e, c)));
    const orders = (Array.isArray(body.order_by) ? body.order_by : body.order_by ? [body.order_by] : []).map(String);
    const keyed = orders.map(o => {
      const [field, dir] = o.trim().split(/\s+/);
      const name = field.replace(/^attributes?\./, '');
      if (!['name', 'experiment_id', 'creation_time', 'last_update_time'].includes(name)) throw MlflowError.invalid(`Invalid order_by clause '${o}'`);
      return { name: name as keyof MlflowExperiment, desc: /^desc$/i.test(dir ?? '') };
    });
    keyed.push({ name: 'last_update_time', desc: true }, { name: 'experiment_id', desc: false });
    list.sort((a, b) => {
      for (const k of keyed) {
        const x = k.name === 'experiment_id' ? Number(a.experiment_id) : a[k.name];
        const y = k.name === 'experiment_id' ? Number(b.experiment_id) : b[k.name];
        if (x !== y) return (x! < y! ? -1 : 1) * (k.desc ? -1 : 1);
      }
      return 0;
    });
    const offset = body.page_token ? Number(Buffer.from(String(body.page_token), 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw MlflowError.invalid('Invalid page token');
    const page = list.slice(offset, offset + max);
    res.json({
      experiments: page,
      ...(offset + max < list.length ? { next_page_token: Buffer.from(String(offset + max)).toString('base64url') } : {})
    });
  };
  router.post('/experiments/search', search);
  router.get('/experiments/search', search);
  router.post('/experiments/update', async (req, res) => {
    const body = bodyOf(req);
    await ex.rename(callerOf(req).user, checkExperimentId(body.experiment_id), body.new_name);
    res.json({});
  });
  router.post('/experiments/delete', async (req, res) => {
    await ex.setLifecycle(callerOf(req).user, checkExperimentId(bodyOf(req).experiment_id), 'deleted');
    res.json({});
  });
  router.post('/experiments/restore', async (req, res) => {
    await ex.setLifecycle(callerOf(req).user, checkExperimentId(bodyOf(req).experiment_id), 'active');
    res.json({});
  });
  router.post('/experiments/set-experiment-tag', async (req, res) => {
    const body = bodyOf(req);
    await ex.setTag(callerOf(req).user, checkExperimentId(body.experiment_id), str(body, 'key'), body.value);
    res.json({});
  });
  router.post('/experiments/delete-experiment-tag', async (req, res) => {
    const body = bodyOf(req);
    await ex.deleteTag(callerOf(req).user, checkExperimentId(body.experiment_id), str(body, 'key'));
    res.json({});
  });
  return router;
}
