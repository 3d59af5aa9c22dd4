/**
 * A parser for the Python literals found in a notebook's parameters cell: numbers, strings (any
 * quoting, with escapes), True/False/None, and lists, tuples and dicts of them. Anything else is
 * not a literal (`undefined`).
 */
export type PyType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'none';

class NotLiteral extends Error {}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  skip(): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = /^(\s+|\\\n|#[^\n]*)/.exec(rest);
      if (!m) return;
      this.pos += m[0].length;
    }
  }

  peek(): string {
    this.skip();
    return this.text[this.pos] ?? '';
  }

  eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  value(): { value: unknown; type: PyType } {
    const ch = this.peek();
    if (ch === '[' || ch === '(') return this.sequence(ch === '[' ? ']' : ')');
    if (ch === '{') return this.dict();
    const rest = this.text.slice(this.pos);
    const str = /^([rRuU]?)('''|"""|'|")/.exec(rest);
    if (str) {
      let out = '';
      while (/^([rRuU]?)('''|"""|'|")/.test(this.text.slice(this.pos))) {
        out += this.string();
        this.skip();
      }
      return { value: out, type: 'str' };
    }
    const word = /^(True|False|None)\b/.exec(rest);
    if (word) {
      this.pos += word[0].length;
      return word[1] === 'None' ? { value: null, type: 'none' } : { value: word[1] === 'True', type: 'bool' };
    }
    const num = /^([+-]\s*)?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?)(?![\w.])/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      const sign = num[1]?.trim() === '-' ? -1 : 1;
      const body = num[2].replace(/_/g, '');
      if (/^0[xXoObB]/.test(body)) {
        const n = Number(body.toLowerCase().replace(/^0o/, '0o'));
        if (!Number.isSafeInteger(n)) throw new NotLiteral();
        return { value: sign * n, type: 'int' };
      }
      const isFloat = /[.eE]/.test(body);
      const n = sign * Number(body);
      if (!Number.isFinite(n) || (!isFloat && !Number.isSafeInteger(n))) throw new NotLiteral();
      return { value: n, type: isFloat ? 'float' : 'int' };
    }
    throw new NotLiteral();
  }

  string(): string {
    const m = /^([rRuU]?)('''|"""|'|")/.exec(this.text.slice(this.pos))!;
    const raw = m[1].toLowerCase() === 'r';
    const quote = m[2];
    this.pos += m[0].length;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new NotLiteral();
      if (this.text.startsWith(quote, this.pos)) {
        this.pos += quote.length;
        return out;
      }
      const ch = this.text[this.pos];
      if (ch === '\n' && quote.length === 1) throw new NotLiteral();
      if (ch === '\\' && this.pos + 1 < this.text.length) {
        const next = this.text[this.pos + 1];
        if (raw) {
          out += ch + next;
          this.pos += 2;
          continue;
        }
        const uni = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(this.text.slice(this.pos));
        if (uni) {
          out += String.fromCodePoint(parseInt(uni[1] ?? uni[2] ?? uni[3], 16));
          this.pos += uni[0].length;
          continue;
        }
        out += next in ESCAPES ? ESCAPES[next] : ch + next;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
  }

  sequence(close: string): { value: unknown; type: PyType } {
    this.pos++;
    const items: { value: unknown; type: PyType }[] = [];
    let commas = 0;
    while (!this.eat(close)) {
      items.push(this.value());
      if (this.eat(',')) commas++;
      else if (this.peek() !== close) throw new NotLiteral();
    }
    // `(x)` is x itself, not a tuple.
    if (close === ')' && items.length === 1 && commas === 0) return items[0];
    return { value: items.map(i => i.value), type: 'list' };
  }

  dict(): { value: Record<string, unknown>; type: 'dict' } {
    this.pos++;
    const out: Record<string, unknown> = {};
    while (!this.eat('}')) {
      const key = this.value();
      if (key.type === 'list' || key.type === 'dict') throw new NotLiteral();
      if (!this.eat(':')) throw new NotLiteral();
      out[key.value === null ? 'None' : key.type === 'bool' ? (key.value ? 'True' : 'False') : String(key.value)] = this.value().value;
      if (!this.eat(',') && this.peek() !== '}') throw new NotLiteral();
    }
    return { value: out, type: 'dict' };
  }
}

/** The value and type of a Python literal expression, or undefined when it is not a literal. */
export function parsePyLiteral(text: string): { value: unknown; type: PyType } | undefined {
  const p = new Parser(text);
  try {
    let result = p.value();
    if (p.peek() === ',') {
      // A bare tuple: `a = 1, 2`.
      const items = [result.value];
      while (p.eat(',') && p.peek() !== '') items.push(p.value().value);
      result = { value: items, type: 'list' };
    }
    return p.peek() === '' ? result : undefined;
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}
