/**
 * Flow collections (`[a, b]`, `{ x: 1 }`) and scalars of the pipeline editor's YAML reader.
 */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

export class YamlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'YamlError';
  }
}

export class FlowParser {
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
