import type {
  Component,
  ComponentInput,
  ComponentOutput,
  PipelineStep
} from '../../schema/generated/api';

/** What flows along an edge; `any` for notebook and command steps, whose files are untyped. */
export type PortType = ComponentOutput['type'] | 'any';

export interface IPort {
  name: string;
  type: PortType;
  description?: string;
  optional?: boolean;
}

/** The handle id of a notebook step's "add an input" port. */
export const NEW_INPUT = '+';

/** The ports a step draws: data inputs (parameters go in the form) and outputs. */
export interface IStepPorts {
  inputs: IPort[];
  outputs: IPort[];
  /** The step takes new inputs of any name (notebook and command steps). */
  open: boolean;
}

/** A component's ports, as the validate endpoint or the catalog gives them. */
export interface IComponentPorts {
  inputs?: ComponentInput[];
  outputs?: ComponentOutput[];
}

/** Whether an output of type `from` may feed an input of type `to` (artifact accepts any). */
export function compatible(from: PortType, to: PortType): boolean {
  return from === 'any' || to === 'any' || to === 'artifact' || from === to;
}

/**
 * The ports of a step: a component step's come from its spec (when known), a notebook or
 * command step's from its `outputs` and `inputs`. Inputs the file already wires but the spec
 * lacks are kept (typed `any`) so no edge disappears from the canvas.
 */
export function stepPorts(step: PipelineStep, component?: IComponentPorts | Component | null): IStepPorts {
  const wired = Object.keys(step.inputs ?? {}).filter(k => !isDatasetRef(step.inputs![k]));
  if (step.component) {
    const inputs: IPort[] = (component?.inputs ?? [])
      .filter(i => i.type !== 'parameter')
      .map(i => ({
        name: i.name,
        type: i.type as PortType,
        description: i.description,
        optional: i.optional
      }));
    const outputs: IPort[] = (component?.outputs ?? []).map(o => ({
      name: o.name,
      type: o.type,
      description: o.description
    }));
    for (const name of wired) {
      if (!inputs.some(i => i.name === name)) {
        inputs.push({ name, type: 'any' });
      }
    }
    return { inputs, outputs, open: !component };
  }
  return {
    inputs: wired.map(name => ({ name, type: 'any' })),
    outputs: (step.outputs ?? []).map(name => ({ name, type: 'any' })),
    open: true
  };
}

export function isDatasetRef(value: string | undefined): boolean {
  return !!value && value.startsWith('dataset://');
}

/** `prepare.data.csv` → `{step: 'prepare', output: 'data.csv'}` (step names have no dot). */
export function splitRef(ref: string | undefined): { step: string; output: string } | null {
  const dot = (ref ?? '').indexOf('.');
  if (!ref || dot <= 0 || isDatasetRef(ref)) {
    return null;
  }
  return { step: ref.slice(0, dot), output: ref.slice(dot + 1) };
}
