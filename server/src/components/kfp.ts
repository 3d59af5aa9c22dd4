import type { Component, ComponentInput, ComponentOutput } from '../../../schema/generated/api';
import type { FieldError } from '../core/schemas';
import { checkComponent, COMPONENT_DIR, invalidComponent, parseComponentText } from './spec';

/** KFP v1 parameter types → JSON types; any other type is data. */
const PARAM_TYPES: Record<string, ComponentInput['paramType']> = {
  string: 'string',
  str: 'string',
  integer: 'integer',
  int: 'integer',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bool: 'boolean',
  jsonobject: 'object',
  dict: 'object',
  jsonarray: 'array',
  list: 'array'
};

/** A port name from a KFP name: `Training data` → `training_data`. */
export function kfpSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 64) || 'port'
  );
}

function dataType(type: unknown): ComponentOutput['type'] {
  const t = typeof type === 'string' ? type.toLowerCase() : '';
  if (/model/.test(t)) return 'model';
  if (/csv|tsv|parquet|dataset|table|data/.test(t)) return 'dataset';
  if (/metric/.test(t)) return 'metrics';
  return 'artifact';
}

function coerce(value: unknown, type: ComponentInput['paramType']): unknown {
  if (typeof value !== 'string') return value;
  if (type === 'integer' || type === 'number') return Number.isFinite(Number(value)) ? Number(value) : value;
  if (type === 'boolean') return value === 'True' || value === 'true';
  if (type === 'object' || type === 'array') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** The launcher a KFP command with `{inputValue: …}` runs under: fills in parameter values at run time. */
export const KFP_LAUNCHER = `"""Runs a command imported from a Kubeflow Pipelines component, with its parameter values filled in."""
import json, os, sys
import yaml

with open(".conveyor/params.yaml", encoding="utf-8") as f:
    params = yaml.safe_load(f) or {}
argv = []
for part in json.loads(sys.argv[1]):
    if isinstance(part, str):
        argv.append(part)
        continue
    value = params.get(part["param"])
    argv.append(value if isinstance(value, str) else json.dumps(value))
os.execvp(argv[0], argv)
`;

type Part = string | { param: string };

/**
 * A Kubeflow Pipelines v1 `component.yaml` (name, inputs, outputs, implementation.container) as a
 * Conveyor component. `{inputPath: x}` → `inputs/<x>`, `{outputPath: x}` → `<x>` (captured as an
 * output), `{inputValue: x}` → the parameter's value, filled in at run time by a small launcher.
 */
export function importKfp(text: string, opts: { version?: string; name?: string } = {}): Component {
  const doc = parseComponentText(text, 'KFP component');
  const errors: FieldError[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidComponent([{ path: '/', message: 'must be a KFP component (a mapping)' }], 'KFP component');
  const k = doc as Record<string, any>;
  const container = k.implementation?.container;
  if (!container || typeof container !== 'object') errors.push({ path: '/implementation/container', message: 'is required (only container components can be imported)' });
  if (typeof k.name !== 'string' && !opts.name) errors.push({ path: '/name', message: 'is required' });
  if (errors.length > 0) throw invalidComponent(errors, 'KFP component');
  const isPort = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as { name?: unknown }).name === 'string';
  (['inputs', 'outputs'] as const).forEach(side => {
    if (k[side] !== undefined && (!Array.isArray(k[side]) || !k[side].every(isPort))) errors.push({ path: `/${side}`, message: 'must be a list of {name, type?} mappings' });
  });
  if (errors.length > 0) throw invalidComponent(errors, 'KFP component');
  const slugOf = new Map<string, { slug: string; kind: 'param' | 'data' }>();
  const inputs: ComponentInput[] = (Array.isArray(k.inputs) ? k.inputs : []).map((i: Record<string, any>) => {
    const paramType = PARAM_TYPES[String(i.type ?? (i.default !== undefined ? 'String' : '')).toLowerCase()];
    const slug = kfpSlug(String(i.name));
    slugOf.set(String(i.name), { slug, kind: paramType ? 'param' : 'data' });
    const input: ComponentInput = paramType ? { name: slug, type: 'parameter', paramType } : { name: slug, type: dataType(i.type) as ComponentInput['type'] };
    if (typeof i.description === 'string') input.description = i.description;
    if (paramType && i.default !== undefined) input.default = coerce(i.default, paramType) as ComponentInput['default'];
    if (i.optional === true && !paramType) input.optional = true;
    return input;
  });
  const outputs: ComponentOutput[] = (Array.isArray(k.outputs) ? k.outputs : []).map((o: Record<string, any>) => {
    const slug = kfpSlug(String(o.name));
    slugOf.set(`out:${o.name}`, { slug, kind: 'data' });
    const output: ComponentOutput = { name: slug, type: dataType(o.type) };
    if (typeof o.description === 'string') output.description = o.description;
    return output;
  });
  const convert = (arg: unknown, path: string): Part[] => {
    if (typeof arg === 'string' || typeof arg === 'number') return [String(arg)];
    if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
      const a = arg as Record<string, any>;
      if (a.inputPath !== undefined) return [`inputs/${slugOf.get(String(a.inputPath))?.slug ?? kfpSlug(String(a.inputPath))}`];
      if (a.outputPath !== undefined) return [slugOf.get(`out:${a.outputPath}`)?.slug ?? kfpSlug(String(a.outputPath))];
      if (a.inputValue !== undefined) return [{ param: slugOf.get(String(a.inputValue))?.slug ?? kfpSlug(String(a.inputValue)) }];
      if (Array.isArray(a.concat)) {
        const parts = a.concat.flatMap((x: unknown, j: number) => convert(x, `${path}/concat/${j}`));
        if (parts.every((p: Part) => typeof p === 'string')) return [parts.join('')];
      }
    }
    errors.push({ path, message: `is not supported (only strings, inputPath, outputPath, inputValue and concat of strings)` });
    return [];
  };
  const parts: Part[] = [
    ...(Array.isArray(container?.command) ? container.command : []).flatMap((a: unknown, j: number) => convert(a, `/implementation/container/command/${j}`)),
    ...(Array.isArray(container?.args) ? container.args : []).flatMap((a: unknown, j: number) => convert(a, `/implementation/container/args/${j}`))
  ];
  if (parts.length === 0) errors.push({ path: '/implementation/container/command', message: 'is required' });
  if (errors.length > 0) throw invalidComponent(errors, 'KFP component');
  const plain = parts.every(p => typeof p === 'string');
  const spec: Component = {
    name: opts.name ?? kfpSlug(String(k.name)).replace(/_/g, '-'),
    version: opts.version ?? '1.0.0',
    description: typeof k.description === 'string' ? k.description : `Imported from the Kubeflow Pipelines component "${k.name}"`,
    tags: ['kfp'],
    inputs,
    outputs,
    implementation: plain
      ? { image: container.image, command: parts as [string, ...string[]] }
      : {
          image: container.image,
          command: ['python3', `${COMPONENT_DIR}/kfp_launch.py`, JSON.stringify(parts)],
          files: { 'kfp_launch.py': KFP_LAUNCHER }
        }
  };
  if (typeof k.metadata?.annotations?.['documentation'] === 'string') spec.docs = k.metadata.annotations.documentation;
  return checkComponent(spec, 'KFP component');
}
