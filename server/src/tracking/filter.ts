/**
 * MLflow's search grammar, parsed into clauses (tracking/query.ts turns them into SQL):
 *   filter   := clause ("and" clause)*
 *   clause   := entity op value | entity "is" ["not"] "null" | entity ["not"] "in" "(" value ("," value)* ")"
 *   entity   := ("metrics" | "params" | "tags" | "attributes" | "datasets") "." key | attribute
 *   key      := word | `backticked` | "double quoted"
 *   order_by := entity ["asc" | "desc"]
 * Keywords are case-insensitive; prefixes accept MLflow's aliases (metric, param, parameter, tag,
 * attribute, attr, run, dataset).
 */

export type EntityKind = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export interface Clause {
  kind: EntityKind;
  key: string;
  op: Op;
  value: string | number | string[] | null;
}

export interface OrderBy {
  kind: EntityKind;
  key: string;
  desc: boolean;
}

/** A malformed filter or order_by, with the 0-based character position of the problem. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number
  ) {
    super(`${message} (at position ${position})`);
    this.name = 'FilterError';
  }
}

const PREFIXES: Record<string, EntityKind> = {
  metric: 'metric', metrics: 'metric',
  param: 'param', params: 'param', parameter: 'param', parameters: 'param',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
  dataset: 'dataset', datasets: 'dataset'
};

export const STRING_ATTRIBUTES = ['run_id', 'run_name', 'name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage'];
export const NUMERIC_ATTRIBUTES = ['start_time', 'end_time', 'created', 'creation_time', 'Created', 'last_update_time'];
const DATASET_KEYS = ['name', 'digest', 'context'];

interface Token {
  type: 'ident' | 'string' | 'quoted' | 'number' | 'op' | 'punct' | 'end';
  text: string;
  value: string;
  pos: number;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterError(`Unterminated ${c === '`' ? 'backticked name' : 'string'}`, start);
        if (input[i] === c) {
          if (input[i + 1] === c && c !== '`') { value += c; i += 2; continue; }
          i++;
          break;
        }
        if (input[i] === '\\' && i + 1 < input.length && c !== '`') { value += input[i + 1]; i += 2; continue; }
        value += input[i++];
      }
      tokens.push({ type: c === '`' ? 'quoted' : 'string', text: input.slice(start, i), value, pos: start });
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(input.slice(i));
    if (num && (c !== '-' || tokens.length === 0 || tokens[tokens.length - 1].type === 'op' || tokens[tokens.length - 1].text === '(' || tokens[tokens.length - 1].text === ',')) {
      i += num[0].length;
      tokens.push({ type: 'number', text: num[0], value: num[0], pos: start });
      continue;
    }
    const op = /^(!=|<>|<=|>=|==|=|<|>)/.exec(input.slice(i));
    if (op) {
      i += op[0].length;
      const text = op[0] === '<>' ? '!=' : op[0] === '==' ? '=' : op[0];
      tokens.push({ type: 'op', text, value: text, pos: start });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      i++;
      tokens.push({ type: 'punct', text: c, value: c, pos: start });
      continue;
    }
    const ident = /^[A-Za-z_][\w.:/-]*/.exec(input.slice(i));
    if (ident) {
      i += ident[0].length;
      tokens.push({ type: 'ident', text: ident[0], value: ident[0], pos: start });
      continue;
    }
    throw new FilterError(`Unexpected character ${JSON.stringify(c)}`, start);
  }
  tokens.push({ type: 'end', text: '', value: '', pos: input.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token { return this.tokens[this.i]; }
  next(): Token { return this.tokens[this.i++]; }
  isWord(word: string): boolean {
    const t = this.peek();
    return t.type === 'ident' && t.value.toLowerCase() === word;
  }

  /** An entity: prefix.key, prefix.`key`, prefix."key" or a bare attribute name. */
  entity(): { kind: EntityKind; key: string; pos: number } {
    const t = this.next();
    if (t.type === 'quoted') return this.bare(t.value, t.pos);
    if (t.type !== 'ident') throw new FilterError(`Expected a name like metrics.<key>, got ${t.text ? JSON.stringify(t.text) : 'the end'}`, t.pos);
    const dot = t.value.indexOf('.');
    if (dot < 0) return this.bare(t.value, t.pos);
    const kind = PREFIXES[t.value.slice(0, dot).toLowerCase()];
    if (!kind) throw new FilterError(`Invalid entity type '${t.value.slice(0, dot)}'; expected metrics, params, tags, attributes or datasets`, t.pos);
    let key = t.value.slice(dot + 1);
    if (key === '') {
      const q = this.next();
      if (q.type !== 'quoted' && q.type !== 'string') throw new FilterError('Expected a key after the dot', q.pos);
      if (q.pos !== t.pos + t.text.length) throw new FilterError('Unexpected space after the dot', q.pos);
      key = q.value;
    }
    if (key === '') throw new FilterError('Empty key', t.pos);
    return this.checked(kind, key, t.pos);
  }

  private bare(name: string, pos: number): { kind: EntityKind; key: string; pos: number } {
    return this.checked('attribute', name, pos);
  }

  private checked(kind: EntityKind, key: string, pos: number): { kind: EntityKind; key: string; pos: number } {
    if (kind === 'attribute' && !STRING_ATTRIBUTES.includes(key) && !NUMERIC_ATTRIBUTES.includes(key)) {
      throw new FilterError(`Invalid attribute key '${key}'; expected one of ${[...STRING_ATTRIBUTES, 'start_time', 'end_time'].join(', ')}`, pos);
    }
    if (kind === 'dataset' && !DATASET_KEYS.includes(key)) {
      throw new FilterError(`Invalid dataset key '${key}'; expected name, digest or context`, pos);
    }
    const normalized = kind !== 'attribute' ? key : ['created', 'creation_time', 'Created'].includes(key) ? 'start_time' : key === 'name' ? 'run_name' : key;
    return { kind, key: normalized, pos };
  }

  value(): { value: string | number; pos: number; type: 'string' | 'number' } {
    const t = this.next();
    if (t.type === 'string') return { value: t.value, pos: t.pos, type: 'string' };
    if (t.type === 'number') return { value: Number(t.value), pos: t.pos, type: 'number' };
    throw new FilterError(`Expected a value (a quoted string or a number), got ${t.text ? JSON.stringify(t.text) : 'the end'}`, t.pos);
  }

  clause(): Clause {
    const e = this.entity();
    const t = this.peek();
    let op: Op;
    if (t.type === 'op') {
      op = this.next().value as Op;
    } else if (this.isWord('like') || this.isWord('ilike')) {
      op = this.next().value.toUpperCase() as Op;
    } else if (this.isWord('in')) {
      this.next();
      op = 'IN';
    } else if (this.isWord('not')) {
      this.next();
      if (!this.isWord('in')) throw new FilterError("Expected IN after NOT", this.peek().pos);
      this.next();
      op = 'NOT IN';
    } else if (this.isWord('is')) {
      this.next();
      const not = this.isWord('not');
      if (not) this.next();
      if (!this.isWord('null')) throw new FilterError('Expected NULL after IS', this.peek().pos);
      this.next();
      op = not ? 'IS NOT NULL' : 'IS NULL';
    } else {
      throw new FilterError(`Expected a comparison operator after '${e.key}'`, t.pos);
    }
    return this.operand(e, op, t.pos);
  }

  private operand(e: { kind: EntityKind; key: string; pos: number }, op: Op, opPos: number): Clause {
    const numeric = e.kind === 'metric' || (e.kind === 'attribute' && NUMERIC_ATTRIBUTES.includes(e.key));
    if (op === 'IS NULL' || op === 'IS NOT NULL') {
      if (e.kind !== 'param' && e.kind !== 'tag') throw new FilterError(`${op} is only supported for params and tags`, opPos);
      return { kind: e.kind, key: e.key, op, value: null };
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (!(e.kind === 'attribute' && !numeric) && e.kind !== 'dataset') throw new FilterError(`${op} is only supported for string attributes and datasets`, opPos);
      const open = this.next();
      if (open.text !== '(') throw new FilterError(`Expected '(' after ${op}`, open.pos);
      const values: string[] = [];
      for (;;) {
        const v = this.value();
        if (v.type !== 'string') throw new FilterError('IN lists take quoted strings', v.pos);
        values.push(v.value as string);
        const sep = this.next();
        if (sep.text === ')') break;
        if (sep.text !== ',') throw new FilterError("Expected ',' or ')'", sep.pos);
      }
      return { kind: e.kind, key: e.key, op, value: values };
    }
    if (numeric && (op === 'LIKE' || op === 'ILIKE')) throw new FilterError(`${op} is not supported for numeric ${e.kind === 'metric' ? 'metrics' : 'attributes'}`, opPos);
    if (!numeric && ['<', '<=', '>', '>='].includes(op) && e.kind !== 'param' && e.kind !== 'tag') {
      throw new FilterError(`Comparator ${op} is not supported for ${e.kind === 'attribute' ? `attribute ${e.key}` : e.kind + 's'}`, opPos);
    }
    const v = this.value();
    if (numeric && v.type !== 'number') throw new FilterError(`Expected a numeric value for ${e.kind === 'metric' ? `metric '${e.key}'` : e.key}`, v.pos);
    if (!numeric && v.type !== 'string') throw new FilterError(`Expected a quoted string value for ${e.kind} '${e.key}'`, v.pos);
    return { kind: e.kind, key: e.key, op, value: v.value };
  }
}

/** Parses an MLflow filter string; an empty one yields no clauses. */
export function parseFilter(filter: string | undefined | null): Clause[] {
  if (!filter || !filter.trim()) return [];
  if (filter.includes('\u0000')) throw new FilterError('NUL characters are not allowed', filter.indexOf('\u0000'));
  const p = new Parser(tokenize(filter));
  const clauses = [p.clause()];
  while (p.peek().type !== 'end') {
    if (!p.isWord('and')) {
      const t = p.peek();
      throw new FilterError(p.isWord('or') ? 'OR is not supported; combine clauses with AND' : `Expected AND, got ${JSON.stringify(t.text)}`, t.pos);
    }
    p.next();
    clauses.push(p.clause());
  }
  return clauses;
}

/** Parses one order_by clause such as "metrics.loss DESC" or "attributes.start_time". */
export function parseOrderBy(text: string): OrderBy {
  if (text.includes('\u0000')) throw new FilterError('NUL characters are not allowed', text.indexOf('\u0000'));
  const p = new Parser(tokenize(text));
  const e = p.entity();
  let desc = false;
  if (p.isWord('desc')) { p.next(); desc = true; } else if (p.isWord('asc')) { p.next(); }
  const rest = p.peek();
  if (rest.type !== 'end') throw new FilterError(`Unexpected ${JSON.stringify(rest.text)} in order_by; expected ASC or DESC`, rest.pos);
  if (e.kind === 'dataset') throw new FilterError('Ordering by datasets is not supported', e.pos);
  return { kind: e.kind, key: e.key, desc };
}
