import { FilterError, type Clause, type OrderBy } from './filter';
import type { Param } from './sql';

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'r.run_uuid',
  run_name: 'r.run_name',
  status: 'r.status',
  user_id: 'r.owner',
  artifact_uri: 'r.artifact_uri',
  lifecycle_stage: 'r.lifecycle_stage',
  start_time: 'r.start_time',
  end_time: 'r.end_time'
};

const ENTITY_TABLES = { param: 'run_params', tag: 'run_tags' } as const;

/** LIKE is case-sensitive in MLflow; SQLite's LIKE is not, so SQLite uses GLOB with the pattern translated. */
function likeToGlob(pattern: string): string {
  let out = '';
  for (const c of pattern) {
    if (c === '%') out += '*';
    else if (c === '_') out += '?';
    else if (c === '*' || c === '?' || c === '[' || c === ']') out += `[${c}]`;
    else out += c;
  }
  return out;
}

/** `column op ?` for a string comparison with MLflow's LIKE/ILIKE semantics. */
function stringCompare(column: string, op: string, value: string, kind: 'sqlite' | 'postgres', params: Param[]): string {
  if (op === 'LIKE') {
    params.push(kind === 'sqlite' ? likeToGlob(value) : value);
    return kind === 'sqlite' ? `${column} glob ?` : `${column} like ?`;
  }
  if (op === 'ILIKE') {
    params.push(value);
    return `lower(${column}) like lower(?)`;
  }
  params.push(value);
  return `${column} ${op === '!=' ? '<>' : op} ?`;
}

/** The `where` conditions (on runs aliased r) of parsed filter clauses. */
export function compileWhere(clauses: Clause[], kind: 'sqlite' | 'postgres'): { sql: string; params: Param[] } {
  const parts: string[] = [];
  const params: Param[] = [];
  for (const c of clauses) {
    if (c.kind === 'metric') {
      params.push(c.key, c.value as number);
      parts.push(`exists (select 1 from latest_metrics m where m.run_uuid = r.run_uuid and m.key = ? and m.is_nan = 0 and m.value ${c.op === '!=' ? '<>' : c.op} ?)`);
    } else if (c.kind === 'param' || c.kind === 'tag') {
      const table = ENTITY_TABLES[c.kind];
      if (c.op === 'IS NULL' || c.op === 'IS NOT NULL') {
        params.push(c.key);
        parts.push(`${c.op === 'IS NULL' ? 'not ' : ''}exists (select 1 from ${table} x where x.run_uuid = r.run_uuid and x.key = ?)`);
      } else if (c.op === '=') {
        // Equality is usually selective: drive it from the (key, value prefix) index.
        params.push(c.key, c.value as string, c.value as string);
        parts.push(`r.run_uuid in (select x.run_uuid from ${table} x where x.key = ? and substr(x.value, 1, 200) = substr(?, 1, 200) and x.value = ?)`);
      } else {
        params.push(c.key);
        const cmp = stringCompare('x.value', c.op, c.value as string, kind, params);
        parts.push(`exists (select 1 from ${table} x where x.run_uuid = r.run_uuid and x.key = ? and ${cmp})`);
      }
    } else if (c.kind === 'attribute') {
      const column = ATTRIBUTE_COLUMNS[c.key];
      if (!column) throw new FilterError(`Attribute '${c.key}' does not apply to runs`, 0);
      if (c.op === 'IN' || c.op === 'NOT IN') {
        const values = c.value as string[];
        params.push(...values);
        parts.push(`${column} ${c.op === 'IN' ? 'in' : 'not in'} (${values.map(() => '?').join(', ')})`);
      } else if (typeof c.value === 'number') {
        params.push(c.value);
        parts.push(`${column} ${c.op === '!=' ? '<>' : c.op} ?`);
      } else {
        parts.push(stringCompare(column, c.op, c.value as string, kind, params));
      }
    } else {
      const column = c.key === 'context' ? 'd.context' : `d.${c.key}`;
      let cmp: string;
      if (c.op === 'IN' || c.op === 'NOT IN') {
        const values = c.value as string[];
        params.push(...values);
        cmp = `${column} ${c.op === 'IN' ? 'in' : 'not in'} (${values.map(() => '?').join(', ')})`;
      } else {
        cmp = stringCompare(column, c.op, c.value as string, kind, params);
      }
      parts.push(`exists (select 1 from run_inputs d where d.run_uuid = r.run_uuid and ${cmp})`);
    }
  }
  return { sql: parts.length ? parts.join(' and ') : '1 = 1', params };
}

/**
 * Joins and `order by` for MLflow order_by clauses; runs lacking the key sort last, NaN after
 * numbers; ties broken by start_time DESC then run_id like MLflow.
 */
export function compileOrder(orders: OrderBy[]): { joins: string; params: Param[]; sql: string } {
  const joins: string[] = [];
  const params: Param[] = [];
  const keys: string[] = [];
  orders.forEach((o, i) => {
    const dir = o.desc ? 'desc' : 'asc';
    if (o.kind === 'attribute') {
      const column = ATTRIBUTE_COLUMNS[o.key];
      if (!column) throw new FilterError(`Attribute '${o.key}' does not apply to runs`, 0);
      keys.push(`(case when ${column} is null then 1 else 0 end)`, `${column} ${dir}`);
      return;
    }
    const alias = `o${i}`;
    const table = o.kind === 'metric' ? 'latest_metrics' : ENTITY_TABLES[o.kind as 'param' | 'tag'];
    joins.push(`left join ${table} ${alias} on ${alias}.run_uuid = r.run_uuid and ${alias}.key = ?`);
    params.push(o.key);
    if (o.kind === 'metric') {
      keys.push(`(case when ${alias}.value is null then 2 when ${alias}.is_nan = 1 then 1 else 0 end)`, `${alias}.value ${dir}`);
    } else {
      keys.push(`(case when ${alias}.value is null then 1 else 0 end)`, `${alias}.value ${dir}`);
    }
  });
  keys.push('r.start_time desc', 'r.run_uuid asc');
  return { joins: joins.join(' '), params, sql: keys.join(', ') };
}
