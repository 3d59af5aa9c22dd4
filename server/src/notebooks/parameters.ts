import type { NotebookParam as ApiNotebookParam } from '../../../schema/generated/api';
import { parsePyLiteral } from './pyliteral';
import { readNotebook, tagsOf } from './nbformat';

/** One parameter (schema/api/notebook-params.json): name, typed value, source text, annotation, comment. */
export type NotebookParam = ApiNotebookParam;

interface Statement {
  code: string;
  comment?: string;
  indented: boolean;
}

/** Splits Python source into top-level statements, joining bracketed, backslashed and triple-quoted continuations. */
function statements(src: string): Statement[] {
  const out: Statement[] = [];
  let code = '';
  let comment: string | undefined;
  let depth = 0;
  let quote = '';
  let start = true;
  let indented = false;
  const flush = () => {
    if (code.trim() !== '') out.push({ code: code.trim(), comment, indented });
    code = '';
    comment = undefined;
    start = true;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (start) {
      if (ch === '\n') continue;
      indented = ch === ' ' || ch === '\t';
      start = false;
    }
    if (quote) {
      if (ch === '\\') {
        code += ch + (src[i + 1] ?? '');
        i++;
      } else if (src.startsWith(quote, i)) {
        code += quote;
        i += quote.length - 1;
        quote = '';
      } else {
        code += ch;
      }
      continue;
    }
    if (ch === '#') {
      const end = src.indexOf('\n', i);
      const text = src.slice(i + 1, end < 0 ? src.length : end).trim();
      if (depth === 0) comment = text;
      i = (end < 0 ? src.length : end) - 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = src.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      code += quote;
      i += quote.length - 1;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
    if (ch === '\\' && src[i + 1] === '\n') {
      code += ' ';
      i++;
      continue;
    }
    if (ch === '\n' && depth === 0) {
      flush();
      continue;
    }
    code += ch;
  }
  flush();
  return out;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^=]+?))?\s*=(?!=)\s*([\s\S]+)$/;

/** The parameters of the first code cell tagged `parameters`: each top-level `name = <literal>`, typed. */
export function notebookParameters(nb: unknown): NotebookParam[] {
  const cell = readNotebook(nb).cells.find(c => c.cell_type === 'code' && tagsOf(c).includes('parameters'));
  return cell ? parseParameterSource(cell.source) : [];
}

/** The assignments of a parameters cell's source, later assignments of a name replacing earlier ones. */
export function parseParameterSource(src: string): NotebookParam[] {
  const params = new Map<string, NotebookParam>();
  for (const st of statements(src)) {
    const m = st.indented ? null : ASSIGNMENT.exec(st.code);
    if (!m) continue;
    const [, name, annotation, source] = m;
    const literal = parsePyLiteral(source);
    const param: NotebookParam = literal ? { name, value: literal.value as NotebookParam['value'], type: literal.type, source } : { name, value: source, type: 'expr', source };
    if (annotation) param.annotation = annotation.trim();
    if (st.comment) param.comment = st.comment;
    params.set(name, param);
  }
  return [...params.values()];
}
