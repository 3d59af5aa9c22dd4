import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import type { Component, Pipeline, PipelineTemplate } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { describeErrors, validatorFor } from '../core/schemas';
import { resolveInWorkspace } from '../core/workspace';
import { normalizePipeline } from '../pipelines/load';
import { assetsDir } from './catalog';
import { compatible } from './expand';

/** The shipped templates: `assets/templates/*.yaml`, each a PipelineTemplate. */
export function loadTemplates(dir = join(assetsDir(), 'templates')): PipelineTemplate[] {
  if (!existsSync(dir)) return [];
  const validate = validatorFor('pipeline-template.json');
  return readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .map(f => {
      const doc = parseYaml(readFileSync(join(dir, f), 'utf8')) as PipelineTemplate;
      if (!validate(doc)) throw new Error(`template ${f}: ${describeErrors(validate.errors).map(e => `${e.path} ${e.message}`).join('; ')}`);
      normalizePipeline(doc.pipeline);
      return doc;
    });
}

/** Why `spec` cannot fill the slot, or undefined when it fits (every required port, compatible types). */
export function slotMismatch(slot: PipelineTemplate['slots'][number], spec: Component): string | undefined {
  for (const side of ['inputs', 'outputs'] as const) {
    for (const need of slot.requires?.[side] ?? []) {
      const port = (spec[side] ?? []).find(p => p.name === need.name);
      if (!port) return `has no ${side.slice(0, -1)} "${need.name}" (${need.type}) that the slot "${slot.step}" needs`;
      const ok = side === 'inputs' ? compatible(need.type, port.type) : compatible(port.type, need.type);
      if (!ok || port.type === 'parameter') return `its ${side.slice(0, -1)} "${need.name}" is a ${port.type}, the slot "${slot.step}" needs a ${need.type}`;
    }
  }
  const wired = new Set((slot.requires?.inputs ?? []).map(p => p.name));
  const unmet = (spec.inputs ?? []).find(i => i.type !== 'parameter' && !i.optional && !wired.has(i.name));
  if (unmet) return `needs the ${unmet.type} input "${unmet.name}", which the slot "${slot.step}" does not connect`;
  return undefined;
}

/**
 * Writes a template as a pipeline file in the workspace, each slot filled with its default or the
 * component given. Never overwrites (409 exists); paths outside the workspace are refused (400).
 */
export async function instantiate(
  template: PipelineTemplate,
  req: { path: string; name?: string; slots?: Record<string, string> },
  deps: { workspaceDir: string; resolve: (ref: string) => Promise<{ spec: Component } | { error: string }> }
): Promise<{ path: string; pipeline: Pipeline }> {
  const ext = extname(req.path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) throw AppError.invalid('path must name a .yaml, .yml or .json file', { errors: [{ path: '/path', message: 'must end in .yaml, .yml or .json' }] });
  const abs = resolveInWorkspace(deps.workspaceDir, req.path);
  const slots = new Map(template.slots.map(s => [s.step, s]));
  for (const name of Object.keys(req.slots ?? {})) {
    if (!slots.has(name)) throw AppError.invalid(`Template ${template.id} has no slot "${name}" (its slots: ${[...slots.keys()].join(', ')})`, { errors: [{ path: `/slots/${name}`, message: 'is not a slot' }] });
  }
  const pipeline: Pipeline = structuredClone(template.pipeline);
  if (req.name) pipeline.name = req.name;
  for (const step of pipeline.steps) {
    const slot = slots.get(step.name);
    const ref = req.slots?.[step.name];
    if (!slot || ref === undefined || ref === slot.default) continue;
    const found = await deps.resolve(ref);
    if ('error' in found) throw AppError.invalid(`Slot "${step.name}": ${found.error}`, { errors: [{ path: `/slots/${step.name}`, message: found.error }] });
    const why = slotMismatch(slot, found.spec);
    if (why) throw new AppError(400, 'slot_mismatch', `${ref} does not fit the slot "${step.name}": it ${why}`, { errors: [{ path: `/slots/${step.name}`, message: why }] });
    step.component = ref;
    // The template's parameters for the default component may not exist on the new one.
    const params = Object.fromEntries(
      Object.entries(step.params ?? {}).filter(([k]) => (found.spec.inputs ?? []).some(i => i.type === 'parameter' && i.name === k))
    );
    if (Object.keys(params).length > 0) step.params = params;
    else delete step.params;
  }
  const text = ext === '.json' ? `${JSON.stringify(pipeline, null, 2)}\n` : `# From the pipeline template "${template.id}"\n${stringify(pipeline)}`;
  mkdirSync(dirname(abs), { recursive: true });
  try {
    writeFileSync(abs, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError(409, 'exists', `${req.path} already exists`, { path: req.path });
    throw err;
  }
  return { path: req.path, pipeline };
}
