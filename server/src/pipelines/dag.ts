import type { Pipeline, PipelineStep } from '../../../schema/generated/api';

/**
 * DAG helpers over a pipeline's steps. An edge runs from an upstream step to the step that needs
 * it, through `inputs` (`<step>.<output>`) or `dependsOn`. Every result is deterministic: ties are
 * broken by the order steps are declared in the file. Names of missing steps are ignored here
 * (`normalizePipeline` rejects them).
 */

/** The step a `<step>.<output>` reference points to. */
export function stepOfRef(ref: string): string {
  const dot = ref.indexOf('.');
  return dot < 0 ? ref : ref.slice(0, dot);
}

/** Direct dependencies of one step, in declaration order: dependsOn first, then inputs. */
function depsOf(step: PipelineStep): string[] {
  const out: string[] = [];
  for (const d of step.dependsOn ?? []) {
    if (!out.includes(d)) out.push(d);
  }
  for (const ref of Object.values(step.inputs ?? {})) {
    const d = stepOfRef(ref as string);
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

interface Graph {
  names: string[];
  up: Map<string, string[]>;
  down: Map<string, string[]>;
}

function graphOf(p: Pipeline): Graph {
  const names = p.steps.map(s => s.name);
  const known = new Set(names);
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>(names.map(n => [n, [] as string[]]));
  for (const s of p.steps) {
    const deps = depsOf(s).filter(d => known.has(d));
    up.set(s.name, deps);
    for (const d of deps) {
      down.get(d)!.push(s.name);
    }
  }
  // Downstream lists in declaration order, whatever order the edges were found in.
  const index = new Map(names.map((n, i) => [n, i]));
  for (const list of down.values()) {
    list.sort((a, b) => index.get(a)! - index.get(b)!);
  }
  return { names, up, down };
}

/** Direct dependencies (inputs + dependsOn) of `step`. */
export function upstreamOf(p: Pipeline, step: string): string[] {
  return graphOf(p).up.get(step) ?? [];
}

/** `steps` and every step downstream of them, transitively. */
export function downstreamOf(p: Pipeline, steps: string[]): Set<string> {
  const { down } = graphOf(p);
  const seen = new Set<string>();
  const stack = [...steps];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...(down.get(s) ?? []));
  }
  return seen;
}

/**
 * A cycle in data-flow order (upstream → downstream), starting and ending at its earliest
 * declared step, e.g. ['a','b','c','a']; null when the pipeline is a DAG.
 */
export function findCycle(p: Pipeline): string[] | null {
  const { names, down } = graphOf(p);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  let found: string[] | null = null;
  const visit = (n: string): boolean => {
    state.set(n, 'open');
    path.push(n);
    for (const next of down.get(n) ?? []) {
      const st = state.get(next);
      if (st === 'open') {
        found = path.slice(path.indexOf(next));
        return true;
      }
      if (st === undefined && visit(next)) return true;
    }
    path.pop();
    state.set(n, 'done');
    return false;
  };
  for (const n of names) {
    if (state.get(n) === undefined && visit(n)) break;
  }
  if (!found) return null;
  const cycle: string[] = found;
  const order = new Map(names.map((n, i) => [n, i]));
  let start = 0;
  cycle.forEach((n, i) => {
    if (order.get(n)! < order.get(cycle[start])!) start = i;
  });
  const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
  return [...rotated, rotated[0]];
}

/** Step names, every step after all of its dependencies; ties in declaration order. Throws on a cycle. */
export function topoOrder(p: Pipeline): string[] {
  const { names, up } = graphOf(p);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find(n => !done.has(n) && (up.get(n) ?? []).every(d => done.has(d)));
    if (next === undefined) {
      throw new Error(`pipeline has a cycle: ${(findCycle(p) ?? []).join(' → ')}`);
    }
    done.add(next);
    order.push(next);
  }
  return order;
}
