/**
 * The YAML the pipeline editor reads: block mappings and sequences, flow `[...]` and `{...}`
 * (yamlflow.ts), plain and quoted scalars, literal/folded block scalars and comments. Anchors,
 * tags and several documents per file are refused with a clear error (pipeline files never need
 * them; such files still open in the text editor). Writing is in yamlwrite.ts.
 */
import { FlowParser, YamlError, type YamlValue } from './yamlflow';

export { resolvePlain, YamlError, type YamlValue } from './yamlflow';

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
