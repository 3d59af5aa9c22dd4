import { parse as parseYaml } from 'yaml';
import type { Component, ComponentInput } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { describeErrors, validatorFor, type FieldError } from '../core/schemas';

/** The largest total size of a component's inline files. */
export const MAX_COMPONENT_FILES_BYTES = 1024 * 1024;
export const MAX_TAGS = 20;
/** Where a component's files land in the step's working directory. */
export const COMPONENT_DIR = '.component';

/** 400 invalid_component with the fields named. */
export function invalidComponent(errors: FieldError[], where?: string): AppError {
  const first = errors[0];
  const prefix = where ? `${where}: ` : '';
  const text = first ? `${prefix}invalid component: ${first.path} ${first.message}` : `${prefix}invalid component`;
  return new AppError(400, 'invalid_component', errors.length > 1 ? `${text} (and ${errors.length - 1} more)` : text, { errors });
}

/** Parses YAML or JSON text into an object, 400 invalid_component when it is neither. */
export function parseComponentText(text: string, where: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalidComponent([{ path: '/', message: `is not valid YAML or JSON: ${reason}` }], where);
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Does `value` fit the parameter input (type, range, enum)? A message when it does not. */
export function paramProblem(input: ComponentInput, value: unknown): string | undefined {
  const t = jsonType(value);
  const want = input.paramType;
  if (want && !(t === want || (want === 'number' && t === 'integer'))) return `must be ${want === 'integer' ? 'an' : 'a'} ${want}, got ${t}`;
  if (typeof value === 'number') {
    if (input.minimum !== undefined && value < input.minimum) return `must be ≥ ${input.minimum}, got ${value}`;
    if (input.maximum !== undefined && value > input.maximum) return `must be ≤ ${input.maximum}, got ${value}`;
  }
  if (input.enum && !input.enum.some(e => JSON.stringify(e) === JSON.stringify(value))) {
    return `must be one of ${input.enum.map(e => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** What the schema cannot say: unique port names, parameter fields only on parameters, defaults in range, files size. */
function semanticErrors(c: Component): FieldError[] {
  const errors: FieldError[] = [];
  if ((c.tags ?? []).length > MAX_TAGS) errors.push({ path: '/tags', message: `has more than ${MAX_TAGS} tags` });
  const seen = new Map<string, string>();
  (['inputs', 'outputs'] as const).forEach(side => {
    (c[side] ?? []).forEach((port, i) => {
      const other = seen.get(port.name);
      if (other) errors.push({ path: `/${side}/${i}/name`, message: `"${port.name}" is already the name of ${other}` });
      else seen.set(port.name, `an ${side.slice(0, -1)}`);
    });
  });
  (c.inputs ?? []).forEach((input, i) => {
    const at = `/inputs/${i}`;
    const paramOnly = (['paramType', 'default', 'minimum', 'maximum', 'enum'] as const).filter(k => input[k] !== undefined);
    if (input.type !== 'parameter') {
      if (paramOnly.length > 0) errors.push({ path: `${at}/${paramOnly[0]}`, message: `is only for inputs of type parameter ("${input.name}" is a ${input.type})` });
      return;
    }
    if (!input.paramType) errors.push({ path: `${at}/paramType`, message: `parameter "${input.name}" needs a paramType (string, number, integer, boolean, array or object)` });
    if (input.minimum !== undefined && input.maximum !== undefined && input.minimum > input.maximum) {
      errors.push({ path: `${at}/minimum`, message: `is greater than maximum (${input.minimum} > ${input.maximum})` });
    }
    if (input.default !== undefined) {
      const problem = paramProblem(input, input.default);
      if (problem) errors.push({ path: `${at}/default`, message: `default of "${input.name}" ${problem}` });
    }
  });
  const impl = c.implementation;
  if ((impl.notebook === undefined) === (impl.command === undefined)) {
    errors.push({ path: '/implementation', message: 'must have exactly one of notebook or command' });
  }
  const files = impl.files ?? {};
  let bytes = 0;
  for (const [path, text] of Object.entries(files)) {
    if (path.split('/').some(part => part === '..' || part === '.' || part === '')) errors.push({ path: `/implementation/files/${path}`, message: 'must be a plain relative path' });
    bytes += Buffer.byteLength(text ?? '');
  }
  if (bytes > MAX_COMPONENT_FILES_BYTES) errors.push({ path: '/implementation/files', message: `are larger than ${MAX_COMPONENT_FILES_BYTES} bytes in all` });
  return errors;
}

/** Validates a component against schema/api/component.json and its semantic rules: the spec, or 400 invalid_component. */
export function checkComponent(raw: unknown, where?: string): Component {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidComponent([{ path: '/', message: 'must be an object with name, version and implementation' }], where);
  }
  const validate = validatorFor('component.json');
  if (!validate(raw)) throw invalidComponent(describeErrors(validate.errors), where);
  const spec = raw as Component;
  const errors = semanticErrors(spec);
  if (errors.length > 0) throw invalidComponent(errors, where);
  return spec;
}

/** `name@version` → parts; `name` may carry a namespace (`users/alice/x`, `shared/x`). */
export function parseRef(ref: string): { name: string; version: string } | undefined {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1) return undefined;
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

function semverParts(v: string): { nums: number[]; pre: string } {
  const [core, ...rest] = v.split('+')[0].split('-');
  return { nums: core.split('.').map(n => Number(n)), pre: rest.join('-') };
}

/** Semver order: negative when a < b. A pre-release sorts before its release. */
export function compareSemver(a: string, b: string): number {
  const x = semverParts(a);
  const y = semverParts(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** Versions newest first. */
export function newestFirst(versions: string[]): string[] {
  return [...versions].sort((a, b) => compareSemver(b, a));
}
