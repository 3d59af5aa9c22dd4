import { MlflowError } from '../tracking/mlflow/errors';

/**
 * The filter grammar of MLflow's registry searches (mlflow/utils/search_utils.py,
 * SearchModelUtils / SearchModelVersionUtils): clauses joined by AND, each
 * `<key> <op> <value>` with keys `name`, `run_id`, `source_path`, `version_number`,
 * `tags.<key>` (backquoted or quoted when it has spaces), ops `=`, `!=`, `LIKE`, `ILIKE`,
 * `IN`, `NOT IN`, values quoted strings, numbers or a parenthesised list of strings.
 */

export type Op = '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | '<' | '<=' | '>' | '>=';

export interface Clause {
  /** `name`, `run_id`, `source_path`, `version_number` or `tags.<key>`. */
  key: string;
  op: Op;
  value: string | string[];
}

const TOKEN = /\s*(?:(`[^`]*`)|('(?:[^'\\]|\\.)*')|("(?:[^"\\]|\\.)*")|(!=|<=|>=|=|<|>|\(|\)|,)|([A-Za-z_]\w*(?:\.(?:\w+|`[^`]*`|"[^"]*"))*)|(-?\d+(?:\.\d+)?))/y;

interface Token {
  text: string;
  kind: 'quoted' | 'punct' | 'word' | 'number';
  at: number;
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < filter.length) {
    if (/^\s*$/.test(filter.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(filter);
    if (!m) {
      throw MlflowError.invalid(`Invalid filter '${filter}': unexpected character at position ${pos}.`);
    }
    const at = m.index + m[0].length - m[0].trimStart().length;
    if (m[1] || m[2] || m[3]) {
      const raw = m[1] ?? m[2] ?? m[3];
      tokens.push({ text: raw.slice(1, -1).replace(/\\(.)/g, '$1'), kind: 'quoted', at });
    } else if (m[4]) {
      tokens.push({ text: m[4], kind: 'punct', at });
    } else if (m[5]) {
      tokens.push({ text: m[5], kind: 'word', at });
    } else {
      tokens.push({ text: m[6], kind: 'number', at });
    }
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

/** `tag.`/`tags.` name a tag and `attribute.`/`attributes.`/`attr.` an attribute, as in MLflow. */
function keyOf(word: string, allowed: readonly string[], filter: string): string {
  const tag = /^tags?\.(?:`([^`]*)`|"([^"]*)"|(.+))$/.exec(word);
  if (tag) return `tags.${tag[1] ?? tag[2] ?? tag[3]}`;
  const bare = word.replace(/^(?:attributes?|attr)\./, '');
  const key = bare === 'source' ? 'source_path' : bare;
  if (!allowed.includes(key)) {
    throw MlflowError.invalid(`Invalid filter '${filter}': unknown attribute '${word}' (valid: ${allowed.join(', ')}, tags.<key>).`);
  }
  return key;
}

export function parseFilter(filter: string | undefined, allowed: readonly string[]): Clause[] {
  if (!filter || !filter.trim()) return [];
  const tokens = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw MlflowError.invalid(`Invalid filter '${filter}': ${what}.`);
  };
  while (i < tokens.length) {
    const k = tokens[i++];
    if (k.kind !== 'word' && k.kind !== 'quoted') fail(`expected an attribute at position ${k.at}`);
    const key = keyOf(k.text, allowed, filter);
    if (key === 'tags.') fail('empty tag key');
    const opTok = tokens[i++];
    if (!opTok) fail(`missing comparison after '${k.text}'`);
    let op = opTok.text.toUpperCase();
    if (op === 'NOT') {
      const next = tokens[i++];
      if (!next || next.text.toUpperCase() !== 'IN') fail(`expected IN after NOT at position ${opTok.at}`);
      op = 'NOT IN';
    }
    if (!['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', '<', '<=', '>', '>='].includes(op)) {
      fail(`unsupported comparison '${opTok.text}' at position ${opTok.at}`);
    }
    let value: string | string[];
    if (op === 'IN' || op === 'NOT IN') {
      if (tokens[i]?.text !== '(') fail(`expected '(' after ${op}`);
      i++;
      value = [];
      for (;;) {
        const v = tokens[i++];
        if (!v || (v.kind !== 'quoted' && v.kind !== 'number')) fail('expected a quoted value in the list');
        value.push(v.text);
        const sep = tokens[i++];
        if (sep?.text === ')') break;
        if (sep?.text !== ',') fail("expected ',' or ')' in the list");
      }
    } else {
      const v = tokens[i++];
      if (!v || (v.kind !== 'quoted' && v.kind !== 'number')) fail(`expected a quoted value after '${opTok.text}'`);
      value = v.text;
    }
    if (key === 'version_number' && ['LIKE', 'ILIKE'].includes(op)) fail('version_number cannot be compared with LIKE');
    clauses.push({ key, op: op as Op, value });
    if (i < tokens.length) {
      if (tokens[i].text.toUpperCase() !== 'AND') fail(`expected AND at position ${tokens[i].at}`);
      i++;
      if (i >= tokens.length) fail('nothing after AND');
    }
  }
  return clauses;
}

function like(pattern: string, text: string, insensitive: boolean): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${re}$`, insensitive ? 'is' : 's').test(text);
}

/** Whether a row (attribute → value, tags as `tags.<key>`) matches every clause. */
export function matches(clauses: Clause[], row: Record<string, string | undefined>): boolean {
  return clauses.every(c => {
    const v = row[c.key];
    if (v === undefined) return c.op === '!=' || c.op === 'NOT IN';
    const numeric = c.key === 'version_number';
    switch (c.op) {
      case '=':
        return numeric ? Number(v) === Number(c.value) : v === c.value;
      case '!=':
        return numeric ? Number(v) !== Number(c.value) : v !== c.value;
      case 'LIKE':
        return like(c.value as string, v, false);
      case 'ILIKE':
        return like(c.value as string, v, true);
      case 'IN':
        return (c.value as string[]).includes(v);
      case 'NOT IN':
        return !(c.value as string[]).includes(v);
      default: {
        const [a, b] = numeric ? [Number(v), Number(c.value)] : [v, c.value as string];
        return c.op === '<' ? a < b : c.op === '<=' ? a <= b : c.op === '>' ? a > b : a >= b;
      }
    }
  });
}

export interface OrderKey {
  key: string;
  desc: boolean;
}

export function parseOrderBy(orderBy: unknown, allowed: readonly string[]): OrderKey[] {
  const list = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  return list.map(item => {
    const m = typeof item === 'string' ? /^\s*([\w.]+)\s*(ASC|DESC)?\s*$/i.exec(item) : null;
    if (!m || !allowed.includes(m[1])) {
      throw MlflowError.invalid(`Invalid order_by '${String(item)}': one of ${allowed.join(', ')} with ASC or DESC.`);
    }
    return { key: m[1], desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}

export function compareBy<T>(keys: OrderKey[], get: (row: T, key: string) => string | number): (a: T, b: T) => number {
  return (a, b) => {
    for (const { key, desc } of keys) {
      const x = get(a, key);
      const y = get(b, key);
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
}

/** Page tokens are an opaque base64 offset; a token that is not one → 400. */
export function pageOffset(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const text = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const m = /^offset:(\d{1,9})$/.exec(text);
  if (!m) throw MlflowError.invalid('Invalid page_token.');
  return Number(m[1]);
}

export function pageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

export function maxResults(value: unknown, fallback: number, limit: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > limit) {
    throw MlflowError.invalid(`Invalid value ${String(value)} for parameter 'max_results': between 1 and ${limit}.`);
  }
  return n;
}
