import type { Pipeline, PipelineStep } from '../../schema/generated/api';
import { parseYaml, stringifyYaml, YamlError, type YamlValue } from './yaml';


/** A node position on the canvas. */
export interface IPosition {
  x: number;
  y: number;
}

/**
 * What the editor edits: the pipeline without its `layout`, and the positions by step name.
 * Immutable: every edit makes a new state (the undo history keeps the old ones).
 */
export interface IPipelineState {
  pipeline: Pipeline;
  positions: Record<string, IPosition>;
  /** Comment lines at the top of the file, kept on save. */
  header: string;
}

/** The file's keys in the order they are written (others follow in their original order). */
const PIPELINE_KEYS = [
  'apiVersion',
  'kind',
  'name',
  'description',
  'experiment',
  'params',
  'defaults',
  'sweep',
  'steps',
  'layout'
];

const STEP_KEYS = [
  'name',
  'notebook',
  'command',
  'component',
  'image',
  'resources',
  'params',
  'files',
  'inputs',
  'outputs',
  'dependsOn',
  'env',
  'retry',
  'timeoutSeconds',
  'network',
  'cache'
];

const RESOURCE_KEYS = ['profile', 'cpus', 'memory', 'gpus', 'shm'];
const RETRY_KEYS = ['attempts', 'backoffSeconds', 'onExitCodes'];

export class PipelineParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineParseError';
  }
}

/** A new, empty pipeline named after its file. */
export function emptyPipeline(name: string): Pipeline {
  return { apiVersion: 'conveyor/v1', kind: 'Pipeline', name, steps: [] as unknown as Pipeline['steps'] };
}

/** A pipeline name from a file name: `My Flow.pipeline.yaml` → `my-flow`. */
export function nameFromPath(path: string): string {
  const base = (path.split('/').pop() ?? path).replace(/(\.pipeline)?\.(ya?ml|json)$/i, '');
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63);
  return slug || 'pipeline';
}

/**
 * Read a pipeline file. An empty file is a new pipeline named after the file; structural
 * problems (not a mapping, steps not a list) throw PipelineParseError; everything else is left to
 * the server's validation, shown on the canvas.
 */
export function parsePipelineText(text: string, path = ''): IPipelineState {
  const header = (text.match(/^(#[^\n]*\n)+/) ?? [''])[0];
  let doc: YamlValue;
  try {
    doc = text.trim().startsWith('{') ? (JSON.parse(text) as YamlValue) : parseYaml(text);
  } catch (error) {
    const message = error instanceof YamlError || error instanceof SyntaxError ? error.message : String(error);
    throw new PipelineParseError(message);
  }
  if (doc === null) {
    return { pipeline: emptyPipeline(nameFromPath(path)), positions: {}, header };
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PipelineParseError('a pipeline file must be a mapping (apiVersion, kind, name, steps)');
  }
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'conveyor/v1') {
    throw new PipelineParseError(
      `apiVersion ${JSON.stringify(doc.apiVersion)} is not edited visually; the editor reads conveyor/v1 files`
    );
  }
  if (doc.steps !== undefined && doc.steps !== null && !Array.isArray(doc.steps)) {
    throw new PipelineParseError('steps must be a list');
  }
  const steps = ((doc.steps as YamlValue[] | null | undefined) ?? []).map((s, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      throw new PipelineParseError(`steps[${i}] must be a mapping with a name`);
    }
    return s as unknown as PipelineStep;
  });
  const positions: Record<string, IPosition> = {};
  const layout = doc.layout;
  if (layout && typeof layout === 'object' && !Array.isArray(layout)) {
    for (const [name, p] of Object.entries(layout)) {
      const pos = p as { x?: unknown; y?: unknown } | null;
      if (pos && typeof pos.x === 'number' && typeof pos.y === 'number') {
        positions[name] = { x: pos.x, y: pos.y };
      }
    }
  }
  const pipeline = { ...doc } as unknown as Pipeline;
  delete (pipeline as { layout?: unknown }).layout;
  pipeline.apiVersion = 'conveyor/v1';
  pipeline.kind = 'Pipeline';
  if (typeof pipeline.name !== 'string' || !pipeline.name) {
    pipeline.name = nameFromPath(path);
  }
  pipeline.steps = steps as Pipeline['steps'];
  return { pipeline, positions, header };
}

/** Write the pipeline file: stable key order, positions (rounded) under `layout`. */
export function serializePipeline(state: IPipelineState): string {
  const { pipeline, positions } = state;
  const layout: Record<string, YamlValue> = {};
  for (const step of pipeline.steps) {
    const p = positions[step.name];
    if (p) {
      layout[step.name] = { x: Math.round(p.x), y: Math.round(p.y) };
    }
  }
  const doc: Record<string, unknown> = {
    ...pipeline,
    steps: pipeline.steps.map(orderStep),
    layout: Object.keys(layout).length > 0 ? layout : undefined
  };
  if (pipeline.defaults) {
    doc.defaults = {
      ...pipeline.defaults,
      resources: pipeline.defaults.resources && ordered(pipeline.defaults.resources, RESOURCE_KEYS),
      retry: pipeline.defaults.retry && ordered(pipeline.defaults.retry, RETRY_KEYS)
    };
  }
  return state.header + stringifyYaml(ordered(doc, PIPELINE_KEYS) as YamlValue);
}

function orderStep(step: PipelineStep): YamlValue {
  const s: Record<string, unknown> = { ...step };
  if (step.resources) {
    s.resources = ordered(step.resources, RESOURCE_KEYS);
  }
  if (step.retry) {
    s.retry = ordered(step.retry, RETRY_KEYS);
  }
  return ordered(s, STEP_KEYS) as YamlValue;
}

/** A copy with `keys` first (in that order), then the other keys; undefined values dropped. */
export function ordered(obj: object, keys: string[]): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (src[k] !== undefined) {
      out[k] = src[k];
    }
  }
  for (const [k, v] of Object.entries(src)) {
    if (!(k in out) && v !== undefined) {
      out[k] = v;
    }
  }
  return out;
}
