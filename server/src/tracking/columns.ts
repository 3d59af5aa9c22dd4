import { AppError } from '../core/errors';
import { DBL_MAX } from './limits';
import { list, num, type Sql } from './sql';

/** A requested column: `params.<k>`, `metrics.<k>`, `metrics.<k>.min|max`, `tags.<k>`. */
export interface Column {
  name: string;
  kind: 'param' | 'metric' | 'tag';
  key: string;
  stat: 'last' | 'min' | 'max';
}

export function parseColumn(name: string): Column {
  if (name.includes('\u0000')) throw new AppError(400, 'invalid_column', 'Column names must not contain NUL characters');
  const dot = name.indexOf('.');
  const prefix = dot > 0 ? name.slice(0, dot) : '';
  const rest = name.slice(dot + 1);
  if (dot > 0 && rest && prefix === 'params') return { name, kind: 'param', key: rest, stat: 'last' };
  if (dot > 0 && rest && prefix === 'tags') return { name, kind: 'tag', key: rest, stat: 'last' };
  if (dot > 0 && rest && prefix === 'metrics') {
    // `metrics.loss.min` is the min of loss, unless a metric is literally named `loss.min`: callers ask with both.
    const m = /^(.*)\.(min|max)$/.exec(rest);
    if (m) return { name, kind: 'metric', key: m[1], stat: m[2] as 'min' | 'max' };
    return { name, kind: 'metric', key: rest, stat: 'last' };
  }
  throw new AppError(400, 'invalid_column', `Unknown column ${JSON.stringify(name)}: use params.<key>, metrics.<key>[.min|.max] or tags.<key>`);
}

/** A stored metric as JSON: numbers, with NaN and ±DBL_MAX (stored ±Inf) spelled as strings. */
export function metricOut(value: unknown, isNan?: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (isNan !== undefined && num(isNan)) return 'NaN';
  const v = num(value);
  if (v >= DBL_MAX) return 'Infinity';
  if (v <= -DBL_MAX) return '-Infinity';
  return v;
}

/** Values of `columns` for `runIds`: one map per run id. */
export async function columnValues(sql: Sql, runIds: string[], columns: Column[]): Promise<Map<string, Record<string, string | number | null>>> {
  const out = new Map<string, Record<string, string | number | null>>();
  for (const id of runIds) out.set(id, Object.fromEntries(columns.map(c => [c.name, null])));
  const byKind = (kind: Column['kind']): Column[] => columns.filter(c => c.kind === kind);
  for (let i = 0; i < runIds.length; i += 500) {
    const chunk = runIds.slice(i, i + 500);
    for (const kind of ['param', 'tag', 'metric'] as const) {
      const cols = byKind(kind);
      if (!cols.length) continue;
      const keys = [...new Set(cols.map(c => c.key))];
      const table = kind === 'param' ? 'run_params' : kind === 'tag' ? 'run_tags' : 'latest_metrics';
      const extra = kind === 'metric' ? ', is_nan, min_value, max_value' : '';
      const rows = await sql.all(`select run_uuid, key, value${extra} from ${table} where run_uuid in (${list(chunk.length)}) and key in (${list(keys.length)})`, [...chunk, ...keys]);
      const wanted = new Map<string, Column[]>();
      for (const c of cols) wanted.set(c.key, [...(wanted.get(c.key) ?? []), c]);
      for (const r of rows) {
        const target = out.get(r.run_uuid as string)!;
        for (const c of wanted.get(r.key as string) ?? []) {
          if (kind !== 'metric') target[c.name] = r.value as string;
          else if (c.stat === 'last') target[c.name] = metricOut(r.value, r.is_nan);
          else target[c.name] = metricOut(c.stat === 'min' ? r.min_value : r.max_value);
        }
      }
    }
  }
  return out;
}
