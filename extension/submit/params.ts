/**
 * Typed notebook parameters in the submit dialog: which input each type gets, and how the text
 * the user typed becomes the JSON value sent to the server.
 */

import type { NotebookParam } from '../../schema/generated/api';

/**
 * A parameter of the notebook cell tagged `parameters`, as `GET /notebooks/parameters` answers.
 */
export type INotebookParam = NotebookParam;

export type ParamKind = 'number' | 'checkbox' | 'text' | 'json';

export function inputKind(type: INotebookParam['type']): ParamKind {
  switch (type) {
    case 'int':
    case 'float':
      return 'number';
    case 'bool':
      return 'checkbox';
    case 'str':
      return 'text';
    default:
      return 'json';
  }
}

/**
 * The text an input starts with for a parameter's default value.
 */
export function initialText(param: INotebookParam): string {
  switch (inputKind(param.type)) {
    case 'checkbox':
      return param.value ? 'true' : 'false';
    case 'text':
      return typeof param.value === 'string' ? param.value : String(param.value ?? '');
    case 'number':
      return param.value === null || param.value === undefined ? '' : String(param.value);
    default:
      if (param.type === 'expr') {
        // An expression only Python can evaluate: empty keeps it, or the user types JSON.
        return '';
      }
      return JSON.stringify(param.value ?? null);
  }
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Parse what the user typed for a parameter; errors are English messages the caller translates.
 */
export function parseParam(type: INotebookParam['type'], text: string): ParseResult {
  const trimmed = text.trim();
  switch (type) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(trimmed)) {
        return { ok: false, error: 'Enter a whole number' };
      }
      const value = Number(trimmed);
      if (!Number.isSafeInteger(value)) {
        return { ok: false, error: 'Number too large' };
      }
      return { ok: true, value };
    }
    case 'float': {
      if (trimmed === '' || !Number.isFinite(Number(trimmed))) {
        return { ok: false, error: 'Enter a number' };
      }
      return { ok: true, value: Number(trimmed) };
    }
    case 'bool':
      if (trimmed !== 'true' && trimmed !== 'false') {
        return { ok: false, error: 'Enter true or false' };
      }
      return { ok: true, value: trimmed === 'true' };
    case 'str':
      return { ok: true, value: text };
    default: {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        return { ok: false, error: 'Enter valid JSON' };
      }
      if (type === 'list' && !Array.isArray(value)) {
        return { ok: false, error: 'Enter a JSON list, e.g. [1, 2]' };
      }
      if (
        type === 'dict' &&
        (typeof value !== 'object' || value === null || Array.isArray(value))
      ) {
        return { ok: false, error: 'Enter a JSON object, e.g. {"a": 1}' };
      }
      return { ok: true, value };
    }
  }
}

/**
 * Parse every parameter: the values to send (only those that differ from the notebook's defaults
 * are needed, but sending all is explicit and harmless) and the errors by name.
 */
export function parseAll(
  params: INotebookParam[],
  texts: Record<string, string>
): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const param of params) {
    const text = texts[param.name] ?? initialText(param);
    if (param.type === 'expr' && text.trim() === '') {
      continue; // keep the notebook's own expression
    }
    const result = parseParam(param.type, text);
    if (result.ok) {
      values[param.name] = result.value;
    } else {
      errors[param.name] = result.error;
    }
  }
  return { values, errors };
}

/**
 * Globs typed one per line → a list without blanks or comments.
 */
export function parseGlobs(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'));
}
