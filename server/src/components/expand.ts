import type { Component, ComponentInput, ComponentOutput, Pipeline, PipelineStep } from '../../../schema/generated/api';
import type { FieldError } from '../core/schemas';
import { DATASET_SCHEME } from '../pipelines/load';
import { COMPONENT_DIR, paramProblem } from './spec';

/** A resolved component: its spec and the ref it was found under. */
export interface Resolved {
  ref: string;
  spec: Component;
  /** Workspace components: a notebook's bytes (read from beside the component file). */
  notebook?: Buffer;
}

/** What a component step brings besides its pipeline fields: files for its working directory. */
export interface StepAssets {
  files: { path: string; content: Buffer }[];
  notebook?: { name: string; content: Buffer };
}

export interface Expansion {
  pipeline: Pipeline;
  assets: Map<string, StepAssets>;
  /** Step → the component it uses and its typed ports (for the editor's handles). */
  ports: Record<string, { component: string; inputs: ComponentInput[]; outputs: ComponentOutput[] }>;
  errors: (FieldError & { step: string | null })[];
}

/** A resolver answers a spec, or a message saying why not (unknown name, unknown version). */
export type Resolve = (ref: string) => Promise<Resolved | { error: string }>;

function typeOfUpstream(pipeline: Pipeline, ports: Expansion['ports'], ref: string): { step?: PipelineStep; type?: string; known: boolean; name: string; output: string } {
  const dot = ref.indexOf('.');
  const name = ref.slice(0, dot);
  const output = ref.slice(dot + 1);
  const step = pipeline.steps.find(s => s.name === name);
  const p = ports[name];
  if (!p) return { step, known: true, name, output };
  const out = p.outputs.find(o => o.name === output.replace(/\/+$/, ''));
  return { step, type: out?.type, known: out !== undefined, name, output };
}

/** Can an output of type `from` feed an input of type `to`? `artifact` on either side is untyped. */
export function compatible(from: string | undefined, to: string): boolean {
  return from === undefined || from === 'artifact' || to === 'artifact' || from === to;
}

/**
 * Replaces every `component:` step by the notebook or command step it stands for: the component's
 * image, default resources, parameter defaults and outputs, the step's own fields overriding them.
 * Checks parameters (declared, typed, in range, required) and data edges (declared, typed).
 */
export async function expandComponents(pipeline: Pipeline, resolve: Resolve): Promise<Expansion> {
  const out: Expansion = { pipeline, assets: new Map(), ports: {}, errors: [] };
  const resolved = new Map<string, Resolved>();
  for (const [i, step] of pipeline.steps.entries()) {
    if (!step.component) continue;
    const r = await resolve(step.component);
    if ('error' in r) {
      out.errors.push({ path: `/steps/${i}/component`, message: r.error, step: step.name });
      continue;
    }
    resolved.set(step.name, r);
    out.ports[step.name] = { component: r.ref, inputs: r.spec.inputs ?? [], outputs: r.spec.outputs ?? [] };
  }
  const steps = pipeline.steps.map((step, i) => {
    const at = `/steps/${i}`;
    const err = (path: string, message: string): void => void out.errors.push({ path: `${at}${path}`, message, step: step.name });
    // Edges into any step: a typed upstream output must exist and fit a typed input.
    const r = resolved.get(step.name);
    const inputsByName = new Map((r?.spec.inputs ?? []).map(x => [x.name, x]));
    for (const [name, ref] of Object.entries(step.inputs ?? {})) {
      const input = inputsByName.get(name);
      const where = r ? ` of ${r.ref}` : '';
      if (r && (!input || input.type === 'parameter')) {
        const data = (r.spec.inputs ?? []).filter(x => x.type !== 'parameter').map(x => x.name);
        err(`/inputs/${name}`, `${r.ref} has no data input "${name}" (its inputs: ${data.join(', ') || 'none'})`);
        continue;
      }
      if ((ref as string).startsWith(DATASET_SCHEME)) {
        if (input && !compatible('dataset', input.type)) err(`/inputs/${name}`, `"${ref}" is a dataset, but input "${name}"${where} takes a ${input.type}`);
        continue;
      }
      const up = typeOfUpstream(pipeline, out.ports, ref as string);
      if (!up.known) {
        const declared = out.ports[up.name].outputs.map(o => `${o.name} (${o.type})`).join(', ') || 'none';
        err(`/inputs/${name}`, `"${ref}": step "${up.name}" (${out.ports[up.name].component}) has no output "${up.output}" (its outputs: ${declared})`);
      } else if (input && !compatible(up.type, input.type)) {
        err(`/inputs/${name}`, `"${ref}" is a ${up.type}, but input "${name}"${where} takes a ${input.type}`);
      }
    }
    if (!r) return step;
    for (const input of r.spec.inputs ?? []) {
      if (input.type !== 'parameter' && !input.optional && step.inputs?.[input.name] === undefined) {
        err('/inputs', `${r.ref} needs its ${input.type} input "${input.name}"`);
      }
    }
    const params: Record<string, unknown> = {};
    for (const input of r.spec.inputs ?? []) {
      if (input.type !== 'parameter') continue;
      const given = step.params?.[input.name];
      if (given !== undefined) {
        const problem = paramProblem(input, given);
        if (problem) err(`/params/${input.name}`, `parameter "${input.name}" of ${r.ref} ${problem}`);
        params[input.name] = given;
      } else if (input.default !== undefined) {
        params[input.name] = input.default;
      } else if (pipeline.params?.[input.name] === undefined) {
        err('/params', `${r.ref} needs the parameter "${input.name}" (${input.paramType ?? 'any'}), from the step or the pipeline`);
      }
    }
    for (const name of Object.keys(step.params ?? {})) {
      if (!(r.spec.inputs ?? []).some(x => x.type === 'parameter' && x.name === name)) {
        const known = (r.spec.inputs ?? []).filter(x => x.type === 'parameter').map(x => x.name);
        err(`/params/${name}`, `${r.ref} has no parameter "${name}" (its parameters: ${known.join(', ') || 'none'})`);
      }
    }
    return expandStep(step, r, params, out);
  });
  out.pipeline = { ...pipeline, steps: steps as Pipeline['steps'] };
  return out;
}

function expandStep(step: PipelineStep, r: Resolved, params: Record<string, unknown>, out: Expansion): PipelineStep {
  const impl = r.spec.implementation;
  const { component: _ref, ...rest } = step;
  const files = Object.entries(impl.files ?? {}).map(([path, text]) => ({ path: `${COMPONENT_DIR}/${path}`, content: Buffer.from(text ?? '') }));
  const assets: StepAssets = { files };
  const expanded: PipelineStep = { ...rest, params };
  if (impl.command) {
    expanded.command = [...impl.command];
  } else if (impl.notebook) {
    const name = `${COMPONENT_DIR}/${impl.notebook.split('/').pop()}`;
    const content = r.notebook ?? (impl.files?.[impl.notebook] !== undefined ? Buffer.from(impl.files[impl.notebook]!) : undefined);
    if (content) assets.notebook = { name, content };
    expanded.notebook = name;
  }
  const image = step.image ?? impl.image;
  if (image) expanded.image = image;
  if (r.spec.resources || step.resources) expanded.resources = { ...(r.spec.resources ?? {}), ...(step.resources ?? {}) };
  const outputs = [...new Set([...(r.spec.outputs ?? []).map(o => o.name), ...(step.outputs ?? [])])];
  if (outputs.length > 0) expanded.outputs = outputs;
  expanded.env = { ...(step.env ?? {}), CONVEYOR_COMPONENT: r.ref };
  out.assets.set(step.name, assets);
  return expanded;
}
