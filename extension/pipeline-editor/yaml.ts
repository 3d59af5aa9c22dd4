/**
 * The YAML the pipeline editor reads and writes: block mappings and sequences, flow `[...]` and
 * `{...}`, plain and quoted scalars, literal/folded block scalars and comments. Anchors, tags and
 * several documents per file are refused with a clear error (pipeline files never need them; such
 * files still open in the text editor). Output is deterministic: keys in the order given, so the
 * caller decides the order and git diffs stay small.
 */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

export class YamlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'YamlError';
  }
}

interface ILine {
  indent: number;
  text: string;
  /** 1-based line number in the file. */
  no: number;
  raw: string;
}

/** Parse one YAML document (an empty document is `null`). */
export function parseYaml(source: string): YamlValue {
  const lines: ILine[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' ) {
      lines.push({ indent: -1, text: '', no: i + 1, raw });
      return;
    }
    if (/^\t/.test(raw)) {
      throw new YamlError('tabs are not allowed for indentation', i + 1);
    }
    const indent = text.length - text.trimStart().length;
    lines.push({ indent, text: text.trim(), no: i + 1, raw });
  });
  const parser = new BlockParser(lines);
  return parser.document();
}

class BlockParser {
  constructor(private lines: ILine[]) {}

  document(): YamlValue {
    this.skipBlank();
    if (this.peek()?.text === '---') {
      this.pos++;
      this.skipBlank();
    }
    const first = this.peek();
    if (!first) {
      return null;
    }
    const value = this.block(first.indent);
    this.skipBlank();
    const rest = this.peek();
    if (rest) {
      throw new YamlError(
        rest.text === '---' ? 'only one document per file is supported' : 'unexpected indentation',
        rest.no
      );
    }
    return value;
  }

  private peek(): ILine | undefined {
    return this.lines[this.pos];
  }

  private skipBlank(): void {
    while (this.pos < this.lines.length && this.lines[this.pos].indent < 0) {
      this.pos++;
    }
  }

  private block(indent: number): YamlValue {
    this.skipBlank();
    const line = this.peek()!;
    if (isSeqItem(line.text)) {
      return this.sequence(indent);
    }
    if (findKeyColon(line.text) < 0) {
      // A lone scalar or flow collection (possibly over several lines).
      this.pos++;
      return this.inlineValue(line.text, line);
    }
    return this.mapping(indent);
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    for (;;) {
      this.skipBlank();
      const line = this.peek();
      if (!line || line.indent < indent || line.text === '---') {
        return out;
      }
      if (line.indent > indent || isSeqItem(line.text)) {
        throw new YamlError('unexpected indentation', line.no);
      }
      const colon = findKeyColon(line.text);
      if (colon < 0) {
        throw new YamlError(`expected "key: value", found "${line.text}"`, line.no);
      }
      const key = keyOf(line.text.slice(0, colon).trim(), line);
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        throw new YamlError(`duplicate key "${key}"`, line.no);
      }
      const rest = line.text.slice(colon + 1).trim();
      this.pos++;
      out[key] = this.valueAfter(rest, indent, line, true);
    }
  }

  private sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (;;) {
      this.skipBlank();
      const line = this.peek();
      if (!line || line.indent < indent || !isSeqItem(line.text)) {
        if (line && line.indent > indent) {
          throw new YamlError('unexpected indentation', line.no);
        }
        return out;
      }
      if (line.indent > indent) {
        throw new YamlError('unexpected indentation', line.no);
      }
      const rest = line.text.slice(1).trimStart();
      if (rest !== '' && (isSeqItem(rest) || findKeyColon(rest) >= 0)) {
        // "- key: v" or "- - x": the item is a block whose first line starts after the dash.
        const offset = line.text.length - rest.length;
        this.lines[this.pos] = { ...line, indent: indent + offset, text: rest };
        out.push(this.block(indent + offset));
      } else {
        this.pos++;
        out.push(this.valueAfter(rest, indent, line, false));
      }
    }
  }

  /** The value after "key:" or "-": inline, a block scalar, or a nested block. */
  private valueAfter(rest: string, indent: number, line: ILine, inMapping: boolean): YamlValue {
    if (/^[|>][+-]?$/.test(rest)) {
      return this.blockScalar(rest, indent, line);
    }
    if (rest !== '') {
      return this.inlineValue(rest, line);
    }
    this.skipBlank();
    const next = this.peek();
    if (next && next.indent > indent) {
      return this.block(next.indent);
    }
    if (inMapping && next && next.indent === indent && isSeqItem(next.text)) {
      // A sequence may sit at its key's indentation.
      return this.sequence(indent);
    }
    return null;
  }

  private inlineValue(text: string, line: ILine): YamlValue {
    if (text.startsWith('&') || text.startsWith('*') || text.startsWith('!')) {
      throw new YamlError('anchors, aliases and tags are not supported', line.no);
    }
    let full = text;
    if (full.startsWith('[') || full.startsWith('{')) {
      // A flow collection may continue on the next lines.
      while (!flowClosed(full)) {
        const next = this.lines[this.pos];
        if (!next) {
          throw new YamlError('unclosed flow collection', line.no);
        }
        this.pos++;
        if (next.indent >= 0) {
          full += ' ' + next.text;
        }
      }
    }
    const flow = new FlowParser(full, line.no);
    const value = flow.value(false);
    flow.end();
    return value;
  }

  private blockScalar(header: string, indent: number, line: ILine): string {
    const parts: string[] = [];
    let blockIndent = -1;
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      const rawIndent = l.raw.length - l.raw.trimStart().length;
      if (l.raw.trim() !== '' && rawIndent <= indent) {
        break;
      }
      if (l.raw.trim() !== '' && blockIndent < 0) {
        blockIndent = rawIndent;
      }
      parts.push(l.raw.trim() === '' ? '' : l.raw.slice(Math.max(blockIndent, 0)));
      this.pos++;
    }
    while (parts.length > 0 && parts[parts.length - 1] === '') {
      parts.pop();
    }
    if (blockIndent < 0 && parts.length === 0 && line.no < 0) {
      return '';
    }
    let text = header.startsWith('>')
      ? parts.join('\n').replace(/([^\n])\n(?=[^\n ])/g, '$1 ')
      : parts.join('\n');
    if (!header.endsWith('-')) {
      text += '\n';
    }
    return text;
  }

  private pos = 0;
}

class FlowParser {
  constructor(private s: string, private line: number) {}

  value(inFlow: boolean): YamlValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') {
      return this.list();
    }
    if (c === '{') {
      return this.map();
    }
    if (c === '"' || c === "'") {
      return this.quoted();
    }
    return resolvePlain(this.plain(inFlow));
  }

  end(): void {
    this.ws();
    if (this.i < this.s.length) {
      throw new YamlError(`unexpected "${this.s.slice(this.i)}"`, this.line);
    }
  }

  private list(): YamlValue[] {
    const out: YamlValue[] = [];
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      out.push(this.value(true));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
      } else if (this.s[this.i] !== ']') {
        throw new YamlError('expected "," or "]" in a flow sequence', this.line);
      }
    }
  }

  private map(): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const c = this.s[this.i];
      const key = c === '"' || c === "'" ? this.quoted() : this.plain(true, true);
      this.ws();
      if (this.s[this.i] !== ':') {
        throw new YamlError(`expected ":" after "${key}" in a flow mapping`, this.line);
      }
      this.i++;
      out[key] = this.value(true);
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
      } else if (this.s[this.i] !== '}') {
        throw new YamlError('expected "," or "}" in a flow mapping', this.line);
      }
    }
  }

  private quoted(): string {
    const q = this.s[this.i];
    let j = this.i + 1;
    let out = '';
    for (;;) {
      if (j >= this.s.length) {
        throw new YamlError('unclosed quoted string', this.line);
      }
      const c = this.s[j];
      if (q === "'" && c === "'") {
        if (this.s[j + 1] === "'") {
          out += "'";
          j += 2;
          continue;
        }
        break;
      }
      if (q === '"' && c === '"') {
        break;
      }
      if (q === '"' && c === '\\') {
        const e = this.s[j + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', ' ': ' ' };
        if (e in simple) {
          out += simple[e];
          j += 2;
        } else if (e === 'u' || e === 'x') {
          const len = e === 'u' ? 4 : 2;
          out += String.fromCharCode(parseInt(this.s.slice(j + 2, j + 2 + len), 16));
          j += 2 + len;
        } else {
          throw new YamlError(`unknown escape "\\${e}"`, this.line);
        }
        continue;
      }
      out += c;
      j++;
    }
    this.i = j + 1;
    return out;
  }

  private plain(inFlow: boolean, isKey = false): string {
    const start = this.i;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (inFlow && (c === ',' || c === ']' || c === '}')) {
        break;
      }
      if (isKey && c === ':') {
        break;
      }
      if (inFlow && c === ':' && /[\s,\]}]/.test(this.s[this.i + 1] ?? ' ')) {
        break;
      }
      this.i++;
    }
    return this.s.slice(start, this.i).trim();
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) {
      this.i++;
    }
  }

  private i = 0;
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Index of the ":" ending a block mapping key, or -1. */
function findKeyColon(text: string): number {
  if (text.startsWith('[') || text.startsWith('{')) {
    return -1;
  }
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) {
        quote = '';
      }
      continue;
    }
    if ((c === '"' || c === "'") && i === 0) {
      quote = c;
    } else if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ')) {
      return i;
    }
  }
  return -1;
}

function keyOf(text: string, line: ILine): string {
  if (text.startsWith('"') || text.startsWith("'")) {
    const p = new FlowParser(text, line.no);
    const v = p.value(false);
    p.end();
    return String(v);
  }
  if (text === '?' || text.startsWith('? ')) {
    throw new YamlError('complex keys are not supported', line.no);
  }
  return text;
}

/** Drop a "# comment" that is not inside quotes. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') {
        i++;
      } else if (c === "'" && quote === "'" && line[i + 1] === "'") {
        i++;
      } else if (c === quote) {
        quote = '';
      }
    } else if (c === '"' || c === "'") {
      const prev = line[i - 1];
      if (i === 0 || /[\s[{,:-]/.test(prev)) {
        quote = c;
      }
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function flowClosed(text: string): boolean {
  let depth = 0;
  let quote = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) {
        quote = '';
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    }
  }
  return depth <= 0;
}

/** The YAML 1.2 core schema for plain scalars. */
export function resolvePlain(text: string): YamlValue {
  if (text === '' || text === '~' || /^(null|Null|NULL)$/.test(text)) {
    return null;
  }
  if (/^(true|True|TRUE)$/.test(text)) {
    return true;
  }
  if (/^(false|False|FALSE)$/.test(text)) {
    return false;
  }
  if (/^[-+]?[0-9]+$/.test(text)) {
    return parseInt(text, 10);
  }
  if (/^0x[0-9a-fA-F]+$/.test(text)) {
    return parseInt(text.slice(2), 16);
  }
  if (/^0o[0-7]+$/.test(text)) {
    return parseInt(text.slice(2), 8);
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) {
    return parseFloat(text);
  }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) {
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  if (/^\.(nan|NaN|NAN)$/.test(text)) {
    return NaN;
  }
  return text;
}

const FLOW_WIDTH = 72;

/** Serialize a value as block YAML (ending with a newline). */
export function stringifyYaml(value: YamlValue): string {
  if (isObject(value) && Object.keys(value).length > 0) {
    return blockMapping(value, 0).join('\n') + '\n';
  }
  if (Array.isArray(value) && value.length > 0) {
    return blockSequence(value, 0).join('\n') + '\n';
  }
  return `${scalar(value)}\n`;
}

function isObject(v: YamlValue): v is { [key: string]: YamlValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: YamlValue): boolean {
  return v === null || typeof v !== 'object';
}

function blockMapping(obj: { [key: string]: YamlValue }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) {
      continue;
    }
    const key = scalar(k);
    const flow = inlineForm(v, indent + key.length + 2);
    if (flow !== null) {
      out.push(`${pad}${key}: ${flow}`);
    } else if (Array.isArray(v)) {
      out.push(`${pad}${key}:`, ...blockSequence(v, indent + 2));
    } else if (isObject(v)) {
      out.push(`${pad}${key}:`, ...blockMapping(v, indent + 2));
    } else {
      out.push(`${pad}${key}: ${blockText(v as string, indent + 2)}`);
    }
  }
  return out;
}

function blockSequence(list: YamlValue[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const item of list) {
    const flow = inlineForm(item, indent + 2);
    if (flow !== null) {
      out.push(`${pad}- ${flow}`);
    } else if (isObject(item)) {
      const lines = blockMapping(item, indent + 2);
      out.push(`${pad}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1));
    } else if (Array.isArray(item)) {
      const lines = blockSequence(item, indent + 2);
      out.push(`${pad}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1));
    } else {
      out.push(`${pad}- ${blockText(item as string, indent + 2)}`);
    }
  }
  return out;
}

/**
 * The one-line form of a value, or null when it should be a block: scalars, empty collections,
 * short lists of scalars and small mappings of scalars (`{ x: 0, y: 0 }`, `{ cpus: 1 }`).
 */
function inlineForm(v: YamlValue, column: number): string | null {
  if (typeof v === 'string' && v.includes('\n')) {
    return null;
  }
  if (isScalar(v)) {
    return scalar(v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      return '[]';
    }
    if (!v.every(isScalar)) {
      return null;
    }
    const text = `[${v.map(scalar).join(', ')}]`;
    return column + text.length <= FLOW_WIDTH + 8 ? text : null;
  }
  const entries = Object.entries(v as object);
  if (entries.length === 0) {
    return '{}';
  }
  if (entries.length > 3 || !entries.every(([, x]) => isScalar(x))) {
    return null;
  }
  const text = `{ ${entries.map(([k, x]) => `${scalar(k)}: ${scalar(x)}`).join(', ')} }`;
  return column + text.length <= FLOW_WIDTH ? text : null;
}

function blockText(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const chomp = text.endsWith('\n') ? '' : '-';
  const body = text.replace(/\n$/, '').split('\n');
  return [`|${chomp}`, ...body.map(l => (l === '' ? '' : pad + l))].join('\n');
}

const PLAIN_SAFE = /^[A-Za-z0-9_./@~$%^&()+=<>;-][A-Za-z0-9_ ./@:~$%^&()+=<>;*-]*$/;

/** A scalar as YAML: plain when it reads back as the same string, else double-quoted. */
export function scalar(v: YamlValue): string {
  if (v === null) {
    return 'null';
  }
  if (typeof v === 'boolean') {
    return v ? 'true' : 'false';
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) {
      return '.nan';
    }
    if (!Number.isFinite(v)) {
      return v > 0 ? '.inf' : '-.inf';
    }
    return String(v);
  }
  const s = v as string;
  if (
    PLAIN_SAFE.test(s) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !/^[-?:] /.test(s) &&
    s !== '-' &&
    resolvePlain(s) === s
  ) {
    return s;
  }
  return JSON.stringify(s);
}
