import { resolvePlain, type YamlValue } from './yamlflow';

/**
 * Writing YAML for pipeline files: block mappings and sequences, small collections of scalars on
 * one line, strings plain only when they read back as the same string. Keys in the order given.
 */
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
