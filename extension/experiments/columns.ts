/**
 * Column ids of the Experiments table (the search API's `columns`) and their sort clauses.
 */

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';

export interface IColumn {
  /** `attributes.<a>`, `params.<k>`, `metrics.<k>`, `metrics.<k>.min|max`, `tags.<k>`. */
  id: string;
  kind: ColumnKind;
  key: string;
  /** For metrics: which aggregate. */
  agg?: 'last' | 'min' | 'max';
}

/** Run attributes always shown before the chosen columns (their values come with each row). */
export const ATTRIBUTE_COLUMNS = ['attributes.run_name', 'attributes.status', 'attributes.start_time'];

const ATTRIBUTE_ORDER: Record<string, string> = {
  'attributes.run_name': 'attributes.run_name',
  'attributes.status': 'attributes.status',
  'attributes.start_time': 'attributes.start_time',
  'attributes.user': 'attributes.user_id'
};

/**
 * Parse a column id. `metricKeys` resolves the ambiguity of a metric whose own key ends in
 * `.min`/`.max`.
 */
export function parseColumn(id: string, metricKeys: readonly string[] = []): IColumn | null {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) {
    return null;
  }
  const prefix = id.slice(0, dot);
  const key = id.slice(dot + 1);
  switch (prefix) {
    case 'attributes':
      return { id, kind: 'attribute', key };
    case 'params':
      return { id, kind: 'param', key };
    case 'tags':
      return { id, kind: 'tag', key };
    case 'metrics': {
      const agg = /\.(min|max)$/.exec(key);
      if (agg && !metricKeys.includes(key)) {
        return { id, kind: 'metric', key: key.slice(0, -4), agg: agg[1] as 'min' | 'max' };
      }
      return { id, kind: 'metric', key, agg: 'last' };
    }
    default:
      return null;
  }
}

export function columnId(kind: Exclude<ColumnKind, 'attribute'>, key: string, agg?: 'min' | 'max'): string {
  const prefix = kind === 'param' ? 'params' : kind === 'metric' ? 'metrics' : 'tags';
  return agg ? `${prefix}.${key}.${agg}` : `${prefix}.${key}`;
}

/** A key as the MLflow grammar wants it: bare when an identifier, else in backticks. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : '`' + key.replace(/`/g, '') + '`';
}

/** The order_by expression of a column (without direction), or null when not sortable. */
export function orderExpression(column: IColumn): string | null {
  if (column.kind === 'attribute') {
    return ATTRIBUTE_ORDER[column.id] ?? null;
  }
  if (column.kind === 'metric' && column.agg !== 'last') {
    return null;
  }
  const prefix = column.kind === 'param' ? 'params' : column.kind === 'metric' ? 'metrics' : 'tags';
  return `${prefix}.${quoteKey(column.key)}`;
}

export type SortDirection = 'ASC' | 'DESC';

/** The direction a column is sorted by in `orderBy`, if it is the first clause. */
export function sortOf(orderBy: readonly string[], column: IColumn): SortDirection | null {
  const expr = orderExpression(column);
  const first = orderBy[0];
  if (!expr || !first) {
    return null;
  }
  const m = /^(.*?)\s+(ASC|DESC)$/i.exec(first.trim());
  const target = m ? m[1] : first.trim();
  if (target !== expr) {
    return null;
  }
  return m && m[2].toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
}

/**
 * The orderBy after clicking a column header: ascending, then descending, then unsorted.
 */
export function nextOrderBy(orderBy: readonly string[], column: IColumn): string[] {
  const expr = orderExpression(column);
  if (!expr) {
    return [...orderBy];
  }
  const current = sortOf(orderBy, column);
  if (current === null) {
    return [`${expr} ASC`];
  }
  if (current === 'ASC') {
    return [`${expr} DESC`];
  }
  return [];
}

/**
 * Default columns when the view names none: every param, then the last value of every metric,
 * at most `max` in all.
 */
export function defaultColumns(
  keys: { params: readonly string[]; metrics: readonly string[] },
  preferred: readonly string[] = [],
  max = 24
): string[] {
  if (preferred.length) {
    return [...preferred];
  }
  const all = [
    ...keys.params.map(k => columnId('param', k)),
    ...keys.metrics.filter(k => !k.startsWith('conveyor.')).map(k => columnId('metric', k))
  ];
  return all.slice(0, max);
}

/** A column header's text. */
export function columnLabel(column: IColumn): string {
  if (column.kind === 'metric' && column.agg !== 'last') {
    return `${column.key} (${column.agg})`;
  }
  return column.key;
}

/** A cell's text: numbers compact but exact enough to tell runs apart. */
export function formatValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      return String(value);
    }
    const abs = Math.abs(value);
    return abs !== 0 && (abs < 1e-4 || abs >= 1e6) ? value.toExponential(4) : String(+value.toPrecision(6));
  }
  return value;
}
