import type { PipelineStep } from '../../schema/generated/api';
import type { IPipelineState, IPosition } from './document';
import { compatible, type IStepPorts, NEW_INPUT, splitRef } from './ports';

/** An edge of the canvas: data (`<step>.<output>` → input) or order only (`dependsOn`). */
export interface IEdge {
  id: string;
  source: string;
  target: string;
  /** Data edges: the upstream output and the downstream input. */
  output?: string;
  input?: string;
  kind: 'data' | 'order';
}

export function edgesOf(state: IPipelineState): IEdge[] {
  const names = new Set(state.pipeline.steps.map(s => s.name));
  const edges: IEdge[] = [];
  for (const step of state.pipeline.steps) {
    for (const [input, ref] of Object.entries(step.inputs ?? {})) {
      const parts = splitRef(ref);
      if (parts && names.has(parts.step)) {
        edges.push({
          id: `data:${parts.step}.${parts.output}->${step.name}.${input}`,
          source: parts.step,
          target: step.name,
          output: parts.output,
          input,
          kind: 'data'
        });
      }
    }
    for (const upstream of step.dependsOn ?? []) {
      if (names.has(upstream)) {
        edges.push({ id: `order:${upstream}->${step.name}`, source: upstream, target: step.name, kind: 'order' });
      }
    }
  }
  return edges;
}

/** A name like `base`, `base-2`, … that no step has. */
export function uniqueName(state: IPipelineState, base: string): string {
  const slug =
    base
      .toLowerCase()
      .replace(/\.(ipynb|py|r)$/i, '')
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '')
      .slice(0, 56) || 'step';
  const taken = new Set(state.pipeline.steps.map(s => s.name));
  let name = slug;
  for (let i = 2; taken.has(name); i++) {
    name = `${slug}-${i}`;
  }
  return name;
}

export function addStep(state: IPipelineState, step: PipelineStep, position: IPosition): IPipelineState {
  return {
    ...state,
    pipeline: { ...state.pipeline, steps: [...state.pipeline.steps, step] as typeof state.pipeline.steps },
    positions: { ...state.positions, [step.name]: position }
  };
}

/** Remove steps and every reference to them (inputs, dependsOn, positions). */
export function removeSteps(state: IPipelineState, names: string[]): IPipelineState {
  const gone = new Set(names);
  const steps = state.pipeline.steps
    .filter(s => !gone.has(s.name))
    .map(s => {
      const inputs = Object.fromEntries(
        Object.entries(s.inputs ?? {}).filter(([, ref]) => !gone.has(splitRef(ref)?.step ?? ''))
      );
      const dependsOn = (s.dependsOn ?? []).filter(d => !gone.has(d));
      return cleanStep({ ...s, inputs, dependsOn });
    });
  const positions = { ...state.positions };
  names.forEach(n => delete positions[n]);
  return { ...state, pipeline: { ...state.pipeline, steps: steps as typeof state.pipeline.steps }, positions };
}

/** Rename a step and the references to it. */
export function renameStep(state: IPipelineState, from: string, to: string): IPipelineState {
  const steps = state.pipeline.steps.map(s => {
    const inputs = s.inputs
      ? Object.fromEntries(
          Object.entries(s.inputs).map(([k, ref]) => {
            const parts = splitRef(ref);
            return [k, parts && parts.step === from ? `${to}.${parts.output}` : ref];
          })
        )
      : undefined;
    const dependsOn = s.dependsOn?.map(d => (d === from ? to : d));
    return { ...s, name: s.name === from ? to : s.name, inputs, dependsOn };
  });
  const positions = { ...state.positions };
  if (positions[from]) {
    positions[to] = positions[from];
    delete positions[from];
  }
  return { ...state, pipeline: { ...state.pipeline, steps: steps.map(cleanStep) as typeof state.pipeline.steps }, positions };
}

/** Replace one step (found by name) with `next`. */
export function replaceStep(state: IPipelineState, name: string, next: PipelineStep): IPipelineState {
  const steps = state.pipeline.steps.map(s => (s.name === name ? cleanStep(next) : s));
  return { ...state, pipeline: { ...state.pipeline, steps: steps as typeof state.pipeline.steps } };
}

export interface IConnection {
  source: string;
  output: string;
  target: string;
  /** The input handle, or NEW_INPUT for "a new input named after the output". */
  input: string;
}

export type ConnectionCheck = { ok: true; input: string } | { ok: false; reason: string };

/**
 * Whether an edge may be drawn: not onto itself, no cycle, and the output's type fits the
 * input's. The reason is shown to the user when a drop is refused.
 */
export function checkConnection(
  state: IPipelineState,
  ports: (step: string) => IStepPorts | null,
  c: IConnection
): ConnectionCheck {
  if (c.source === c.target) {
    return { ok: false, reason: `a step cannot feed itself` };
  }
  if (reaches(state, c.target, c.source)) {
    return { ok: false, reason: `${c.target} already runs before ${c.source}: this edge would make a cycle` };
  }
  const from = ports(c.source)?.outputs.find(o => o.name === c.output);
  if (!from) {
    return { ok: false, reason: `${c.source} has no output ${c.output}` };
  }
  const target = ports(c.target);
  if (c.input === NEW_INPUT) {
    if (!target?.open) {
      return { ok: false, reason: `${c.target} takes only the inputs its component declares` };
    }
    const step = state.pipeline.steps.find(s => s.name === c.target);
    const base = c.output.split('/').pop() || c.output;
    let input = base;
    for (let i = 2; step?.inputs && input in step.inputs; i++) {
      input = `${base}-${i}`;
    }
    return { ok: true, input };
  }
  const to = target?.inputs.find(i => i.name === c.input);
  if (!to) {
    return { ok: false, reason: `${c.target} has no input ${c.input}` };
  }
  if (!compatible(from.type, to.type)) {
    return {
      ok: false,
      reason: `${c.source}.${c.output} is a ${from.type}; input ${c.input} of ${c.target} takes a ${to.type}`
    };
  }
  return { ok: true, input: c.input };
}

/** Wire `source.output` into `target.input` (replacing what fed that input). */
export function connect(state: IPipelineState, c: IConnection & { input: string }): IPipelineState {
  const step = state.pipeline.steps.find(s => s.name === c.target);
  if (!step) {
    return state;
  }
  const inputs = { ...(step.inputs ?? {}), [c.input]: `${c.source}.${c.output}` };
  return replaceStep(state, c.target, { ...step, inputs });
}

export function disconnect(state: IPipelineState, edge: IEdge): IPipelineState {
  const step = state.pipeline.steps.find(s => s.name === edge.target);
  if (!step) {
    return state;
  }
  if (edge.kind === 'order') {
    return replaceStep(state, step.name, { ...step, dependsOn: (step.dependsOn ?? []).filter(d => d !== edge.source) });
  }
  const inputs = { ...(step.inputs ?? {}) };
  delete inputs[edge.input!];
  return replaceStep(state, step.name, { ...step, inputs });
}

/** Whether `to` is downstream of `from` (or is it). */
export function reaches(state: IPipelineState, from: string, to: string): boolean {
  const down = new Map<string, string[]>();
  for (const e of edgesOf(state)) {
    down.set(e.source, [...(down.get(e.source) ?? []), e.target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === to) {
      return true;
    }
    if (!seen.has(n)) {
      seen.add(n);
      stack.push(...(down.get(n) ?? []));
    }
  }
  return false;
}

/** Drop empty optional collections so the file does not fill with `inputs: {}`. */
export function cleanStep(step: PipelineStep): PipelineStep {
  const s = { ...step } as Record<string, unknown>;
  for (const k of ['inputs', 'params', 'env', 'resources', 'retry']) {
    const v = s[k] as object | undefined;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) {
      delete s[k];
    }
  }
  for (const k of ['dependsOn', 'outputs', 'files']) {
    const v = s[k] as unknown[] | undefined;
    if (Array.isArray(v) && v.length === 0) {
      delete s[k];
    }
  }
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) {
      delete s[k];
    }
  }
  return s as unknown as PipelineStep;
}

/** `a/b/nb.ipynb` relative to the folder of `a/x.pipeline.yaml` → `b/nb.ipynb`. */
export function relativePath(fromFile: string, target: string): string {
  const from = fromFile.split('/').slice(0, -1).filter(Boolean);
  const to = target.split('/').filter(Boolean);
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) {
    i++;
  }
  return [...from.slice(i).map(() => '..'), ...to.slice(i)].join('/');
}
