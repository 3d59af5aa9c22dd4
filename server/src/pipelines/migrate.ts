import type { FieldError } from '../core/schemas';

/**
 * apiVersion conveyor/v1alpha1, the first pipeline format (see docs/pipeline-format.md):
 *
 *   apiVersion: conveyor/v1alpha1
 *   name: demo
 *   image: conveyor/base:dev          # default image of every node
 *   parameters: { lr: 0.1 }           # pipeline parameters
 *   nodes:
 *     - id: prepare
 *       notebook: prepare.ipynb       # or  script: prepare.py  (runs `python3 prepare.py`)
 *       image: ...
 *       after: [other]                # → dependsOn
 *       parameters: { rows: 100 }     # → params
 *       inputs: { data: other.out }   # unchanged
 *       outputs: [out.csv]
 *       files: ["*.py"]
 *       env: { K: V }
 *       retries: 2                    # → retry.attempts = retries + 1
 *       timeout: 10m                  # → timeoutSeconds (s, m, h, d units or a number of seconds)
 */
export const V1ALPHA1 = 'conveyor/v1alpha1';
export const V1 = 'conveyor/v1';

const NODE_KEYS = new Set(['id', 'notebook', 'script', 'command', 'image', 'after', 'parameters', 'inputs', 'outputs', 'files', 'env', 'retries', 'timeout']);
const TOP_KEYS = new Set(['apiVersion', 'name', 'description', 'image', 'parameters', 'nodes']);

/** Seconds of a duration such as 90, "90", "30s", "10m", "1h30m", "2d"; undefined if it is not one. */
export function parseDuration(raw: unknown): number | undefined {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw > 0 ? raw : undefined;
  }
  if (typeof raw !== 'string') {
    return undefined;
  }
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    return Number(text) > 0 ? Number(text) : undefined;
  }
  const re = /\s*(\d+)\s*([smhd])/gy;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    matched += m[0].length;
  }
  return matched === text.length && total > 0 ? total : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Migrates a v1alpha1 document to v1. Returns the v1 object (validated afterwards against the
 * schema) and the errors found in fields that only v1alpha1 has.
 */
export function migrateV1alpha1(doc: Record<string, unknown>): { pipeline: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) errors.push({ path: `/${key}`, message: `is not a ${V1ALPHA1} field` });
  }
  const nodes = doc.nodes;
  if (!Array.isArray(nodes)) {
    errors.push({ path: '/nodes', message: 'must be a list of nodes' });
    return { pipeline: {}, errors };
  }
  const steps = nodes.map((node, i): Record<string, unknown> => {
    const at = `/nodes/${i}`;
    if (!isObject(node)) {
      errors.push({ path: at, message: 'must be an object' });
      return {};
    }
    for (const key of Object.keys(node)) {
      if (!NODE_KEYS.has(key)) errors.push({ path: `${at}/${key}`, message: `is not a ${V1ALPHA1} node field` });
    }
    const step: Record<string, unknown> = { name: node.id };
    if (node.notebook !== undefined) step.notebook = node.notebook;
    if (node.script !== undefined) {
      if (typeof node.script !== 'string') errors.push({ path: `${at}/script`, message: 'must be a file name' });
      else step.command = ['python3', node.script];
      if (node.command !== undefined) errors.push({ path: `${at}/script`, message: 'cannot be combined with command' });
    }
    if (node.command !== undefined) step.command = node.command;
    if (node.image !== undefined) step.image = node.image;
    if (node.after !== undefined) step.dependsOn = node.after;
    if (node.parameters !== undefined) step.params = node.parameters;
    for (const key of ['inputs', 'outputs', 'files', 'env'] as const) {
      if (node[key] !== undefined) step[key] = node[key];
    }
    if (node.retries !== undefined) {
      if (typeof node.retries !== 'number' || !Number.isInteger(node.retries) || node.retries < 0 || node.retries > 9) {
        errors.push({ path: `${at}/retries`, message: 'must be an integer 0-9' });
      } else if (node.retries > 0) {
        step.retry = { attempts: node.retries + 1 };
      }
    }
    if (node.timeout !== undefined) {
      const seconds = parseDuration(node.timeout);
      if (seconds === undefined) errors.push({ path: `${at}/timeout`, message: 'must be a duration such as 90, "30s", "10m" or "1h30m"' });
      else step.timeoutSeconds = seconds;
    }
    return step;
  });
  const pipeline: Record<string, unknown> = { apiVersion: V1, kind: 'Pipeline', name: doc.name };
  if (doc.description !== undefined) pipeline.description = doc.description;
  if (doc.parameters !== undefined) pipeline.params = doc.parameters;
  if (doc.image !== undefined) pipeline.defaults = { image: doc.image };
  pipeline.steps = steps;
  return { pipeline, errors };
}
