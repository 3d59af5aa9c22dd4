import { posix } from 'node:path';
import type { Pipeline, PipelineStep, Resources } from '../../../schema/generated/api';
import type { FieldError } from '../core/schemas';
import { invalidPipeline, normalizePipeline } from './load';

/**
 * Imports an Elyra `.pipeline` file (pipeline-flow v3, as Elyra's visual editor saves it) as a
 * conveyor/v1 pipeline. The mapping is written down in docs/pipeline-format.md.
 */

type Obj = Record<string, unknown>;

const COMMANDS: Record<string, (file: string) => PipelineStep['command'] | undefined> = {
  'execute-notebook-node': () => undefined,
  'execute-python-node': file => ['python3', file],
  'execute-r-node': file => ['Rscript', file]
};

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A valid step name from a label or file name: lower-case, `-` for anything else, ≤ 63 characters. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/\.(ipynb|py|r)$/i, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63)
    .replace(/[-_]+$/, '');
  return slug || 'step';
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) {
    const suffix = `-${i}`;
    name = base.slice(0, 63 - suffix.length).replace(/[-_]+$/, '') + suffix;
  }
  taken.add(name);
  return name;
}

/** Elyra env vars: `[{env_var, value}]` (Elyra ≥ 3.13) or `["K=V"]` (older files). */
function envOf(raw: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of Array.isArray(raw) ? raw : []) {
    if (typeof item === 'string') {
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq).trim()] = item.slice(eq + 1);
    } else if (isObj(item) && typeof item.env_var === 'string' && item.env_var !== '') {
      env[item.env_var] = item.value === undefined || item.value === null ? '' : String(item.value);
    }
  }
  return env;
}

function strings(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map(s => s.trim()) : [];
}

/** Elyra's cpu (cores), memory (GB) and gpu (count) fields. */
function resourcesOf(p: Obj): Resources | undefined {
  const r: Resources = {};
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  const cpu = num(p.cpu);
  const memory = num(p.memory);
  const gpu = num(p.gpu);
  if (cpu > 0) r.cpus = cpu;
  if (memory > 0) r.memory = `${memory}Gi`;
  if (Number.isInteger(gpu) && gpu > 0) r.gpus = gpu;
  return Object.keys(r).length > 0 ? r : undefined;
}

/** An input name (no slashes) for an upstream output path. */
function inputName(output: string): string {
  return output.replace(/\/+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(-64) || 'input';
}

export function importElyra(doc: unknown, opts: { defaultImage: string }): Pipeline {
  if (!isObj(doc) || doc.doc_type !== 'pipeline' || !Array.isArray(doc.pipelines)) {
    throw invalidPipeline([{ path: '/', message: 'is not an Elyra pipeline file (doc_type "pipeline" with pipelines)' }]);
  }
  if (typeof doc.version === 'string' && !doc.version.startsWith('3.')) {
    throw invalidPipeline([{ path: '/version', message: `Elyra pipeline-flow version ${doc.version} is not supported (3.x is)` }]);
  }
  const index = doc.pipelines.findIndex(p => isObj(p) && p.id === doc.primary_pipeline);
  const primary = doc.pipelines[index < 0 ? 0 : index];
  const at = `/pipelines/${index < 0 ? 0 : index}`;
  if (!isObj(primary) || !Array.isArray(primary.nodes) || primary.nodes.length === 0) {
    throw invalidPipeline([{ path: at, message: 'the primary pipeline has no nodes' }]);
  }
  const props = isObj(primary.app_data) && isObj(primary.app_data.properties) ? primary.app_data.properties : {};
  const defaults = isObj(props.pipeline_defaults) ? props.pipeline_defaults : {};
  const defaultEnv = envOf(defaults.env_vars);
  const pipelineImage = typeof defaults.runtime_image === 'string' && defaults.runtime_image ? defaults.runtime_image : opts.defaultImage;

  const errors: FieldError[] = [];
  const taken = new Set<string>();
  const byId = new Map<string, { step: PipelineStep; links: string[] }>();
  primary.nodes.forEach((node, i) => {
    const path = `${at}/nodes/${i}`;
    if (!isObj(node)) {
      errors.push({ path, message: 'must be an object' });
      return;
    }
    const appData = isObj(node.app_data) ? node.app_data : {};
    const params = isObj(appData.component_parameters) ? appData.component_parameters : {};
    const uiLabel = isObj(appData.ui_data) ? appData.ui_data.label : undefined;
    const filename = typeof params.filename === 'string' ? params.filename.trim() : '';
    const label = [appData.label, uiLabel, filename].find((l): l is string => typeof l === 'string' && l.trim() !== '') ?? String(node.id);
    const op = String(node.op ?? node.type);
    if (node.type !== 'execution_node' || !(op in COMMANDS)) {
      errors.push({ path: `${path}/op`, message: `node "${label}": ${op} nodes are not supported (notebook, Python and R nodes are)` });
      return;
    }
    if (filename === '') {
      errors.push({ path: `${path}/app_data/component_parameters/filename`, message: `node "${label}" has no file` });
      return;
    }
    const step: PipelineStep = { name: uniqueName(slugify(label), taken) };
    const command = COMMANDS[op](filename);
    if (command) step.command = command;
    else step.notebook = filename;
    step.image = typeof params.runtime_image === 'string' && params.runtime_image ? params.runtime_image : pipelineImage;
    let files = strings(params.dependencies);
    if (params.include_subdirectories === true) {
      files = files.map(g => (posix.basename(g) === '*' ? `${posix.dirname(g) === '.' ? '' : `${posix.dirname(g)}/`}**/*` : g));
    }
    if (files.length > 0) step.files = files;
    const outputs = strings(params.outputs);
    if (outputs.length > 0) step.outputs = outputs;
    const env = { ...defaultEnv, ...envOf(params.env_vars) };
    if (Object.keys(env).length > 0) step.env = env;
    const resources = resourcesOf(params);
    if (resources) step.resources = resources;
    const links: string[] = [];
    for (const port of Array.isArray(node.inputs) ? node.inputs : []) {
      for (const link of isObj(port) && Array.isArray(port.links) ? port.links : []) {
        if (isObj(link) && typeof link.node_id_ref === 'string') links.push(link.node_id_ref);
      }
    }
    byId.set(String(node.id), { step, links });
  });
  if (errors.length > 0) throw invalidPipeline(errors);

  for (const { step, links } of byId.values()) {
    const dependsOn: string[] = [];
    const inputs: Record<string, string> = {};
    for (const id of links) {
      const upstream = byId.get(id)?.step;
      if (!upstream) {
        errors.push({ path: at, message: `node "${step.name}" links to a node "${id}" that does not exist` });
        continue;
      }
      if (!dependsOn.includes(upstream.name)) dependsOn.push(upstream.name);
      for (const output of upstream.outputs ?? []) {
        let name = inputName(output);
        if (name in inputs) name = inputName(`${upstream.name}.${name}`);
        inputs[name] = `${upstream.name}.${output}`;
      }
    }
    if (dependsOn.length > 0) step.dependsOn = dependsOn;
    if (Object.keys(inputs).length > 0) step.inputs = inputs;
  }
  if (errors.length > 0) throw invalidPipeline(errors);

  const name = slugify(typeof props.name === 'string' && props.name ? props.name : 'elyra-pipeline');
  const pipeline: Record<string, unknown> = { apiVersion: 'conveyor/v1', kind: 'Pipeline', name };
  if (typeof props.description === 'string' && props.description) pipeline.description = props.description.slice(0, 2000);
  pipeline.steps = [...byId.values()].map(v => v.step);
  return normalizePipeline(pipeline);
}
