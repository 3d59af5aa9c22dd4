import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Pipeline } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { describeErrors, validatorFor, type FieldError } from '../core/schemas';
import { findCycle } from './dag';
import { migrateV1alpha1, V1, V1ALPHA1 } from './migrate';

/** The scheme of step inputs that name a dataset version instead of an upstream output. */
export const DATASET_SCHEME = 'dataset://';

/** The error of every pipeline problem: 400 invalid_pipeline with the fields named. */
export function invalidPipeline(errors: FieldError[], message?: string): AppError {
  const first = errors[0];
  const text = message ?? (first ? `invalid pipeline: ${first.path} ${first.message}` : 'invalid pipeline');
  return new AppError(400, 'invalid_pipeline', errors.length > 1 ? `${text} (and ${errors.length - 1} more)` : text, { errors });
}

/** Parses YAML or JSON text (by extension; YAML, a superset of JSON, otherwise), then `normalizePipeline`. */
export function loadPipeline(text: string, fileName: string): Pipeline {
  let raw: unknown;
  const ext = extname(fileName).toLowerCase();
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}: ` : '';
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalidPipeline([{ path: '/', message: `${fileName} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${where}${reason}` }]);
  }
  return normalizePipeline(raw);
}

/** Migrates older apiVersions, validates against schema/api/pipeline.json, then checks the DAG. */
export function normalizePipeline(raw: unknown): Pipeline {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidPipeline([{ path: '/', message: 'must be an object with apiVersion, kind, name and steps' }]);
  }
  let doc = raw as Record<string, unknown>;
  if (doc.apiVersion === V1ALPHA1) {
    const migrated = migrateV1alpha1(doc);
    if (migrated.errors.length > 0) throw invalidPipeline(migrated.errors);
    doc = migrated.pipeline;
  } else if (doc.apiVersion !== V1) {
    throw invalidPipeline([
      { path: '/apiVersion', message: `must be "${V1}" or "${V1ALPHA1}", got ${JSON.stringify(doc.apiVersion ?? null)}` }
    ]);
  }
  const validate = validatorFor('pipeline.json');
  if (!validate(doc)) {
    throw invalidPipeline(describeErrors(validate.errors));
  }
  const pipeline = doc as unknown as Pipeline;
  const errors = semanticErrors(pipeline);
  if (errors.length > 0) throw invalidPipeline(errors);
  const cycle = findCycle(pipeline);
  if (cycle) {
    const message = `pipeline has a cycle: ${cycle.join(' → ')}`;
    throw new AppError(400, 'invalid_pipeline', message, { cycle, errors: [{ path: '/steps', message }] });
  }
  return pipeline;
}

/** What the schema cannot say: unique names, notebook xor command, references, sweep shape. */
function semanticErrors(p: Pipeline): FieldError[] {
  const errors: FieldError[] = [];
  const byName = new Map<string, (typeof p.steps)[number]>();
  p.steps.forEach((s, i) => {
    if (byName.has(s.name)) errors.push({ path: `/steps/${i}/name`, message: `"${s.name}" is already the name of another step` });
    else byName.set(s.name, s);
  });
  p.steps.forEach((s, i) => {
    const at = `/steps/${i}`;
    if ([s.notebook, s.command, s.component].filter(x => x !== undefined).length !== 1) {
      errors.push({ path: at, message: `step "${s.name}" must have exactly one of notebook, command or component` });
    }
    (s.dependsOn ?? []).forEach((d, j) => {
      if (d === s.name) errors.push({ path: `${at}/dependsOn/${j}`, message: `step "${s.name}" cannot depend on itself` });
      else if (!byName.has(d)) errors.push({ path: `${at}/dependsOn/${j}`, message: `names no step "${d}"` });
    });
    for (const [input, ref] of Object.entries(s.inputs ?? {})) {
      // dataset://<name>@<version|tag> is resolved (and refused when unknown) by the datasets module at submit.
      if ((ref as string).startsWith(DATASET_SCHEME)) continue;
      const path = `${at}/inputs/${input}`;
      const dot = (ref as string).indexOf('.');
      const from = (ref as string).slice(0, dot);
      const output = (ref as string).slice(dot + 1);
      const upstream = byName.get(from);
      if (from === s.name) errors.push({ path, message: `step "${s.name}" cannot take its own output "${output}" as input` });
      else if (!upstream) errors.push({ path, message: `"${ref}" names no step "${from}"` });
      // A component step's outputs come from its spec: checked when it is expanded (components/expand.ts).
      else if (upstream.component === undefined && !(upstream.outputs ?? []).some(o => o === output || o.replace(/\/+$/, '') === output.replace(/\/+$/, ''))) {
        const declared = (upstream.outputs ?? []).join(', ') || 'none';
        errors.push({ path, message: `"${ref}": step "${from}" declares no output "${output}" (its outputs: ${declared})` });
      }
    }
  });
  if (p.sweep && (p.sweep.grid === undefined) === (p.sweep.list === undefined)) {
    errors.push({ path: '/sweep', message: 'must have exactly one of grid or list' });
  }
  return errors;
}
