import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, posix } from 'node:path';
import { stringify } from 'yaml';
import { parse as parseYaml } from 'yaml';
import type { Pipeline, PipelineValidation } from '../../../schema/generated/api';
import type { Expansion } from '../components/expand';
import { AppError } from '../core/errors';
import type { FieldError } from '../core/schemas';
import { readInWorkspace, refuseInsideWorkspace, resolveInWorkspace, workspaceRoot } from '../core/workspace';
import { topoOrder } from './dag';
import { importElyra } from './elyra';
import { invalidPipeline, loadPipeline, normalizePipeline } from './load';

/** Expands `component:` steps for a user (components module); absent, such steps are refused at validate. */
export interface ComponentExpander {
  expand(owner: string, pipeline: Pipeline): Promise<Expansion>;
}

/** The step a JSON pointer (/steps/<i>/…) of a raw pipeline document belongs to. */
function stepOfPath(raw: unknown, path: string): string | null {
  const m = /^\/steps\/(\d+)(\/|$)/.exec(path);
  const steps = (raw as { steps?: unknown } | null)?.steps;
  if (!m || !Array.isArray(steps)) return null;
  const step = steps[Number(m[1])] as { name?: unknown } | undefined;
  return typeof step?.name === 'string' ? step.name : null;
}

/** The largest pipeline or notebook file the server reads. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Reads a workspace file as text: 404 `notFoundCode` when missing, 400 when it is a folder or too large. */
export function readWorkspaceFile(root: string, rel: string, notFoundCode: string): string {
  try {
    return readInWorkspace(root, rel, MAX_FILE_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new AppError(400, 'not_a_file', `${rel} is not a file`, { path: rel });
    throw new AppError(404, notFoundCode, `No file ${rel} in the workspace`, { path: rel });
  }
}

function isElyraDoc(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && (doc as Record<string, unknown>).doc_type === 'pipeline';
}

function parseElyraText(text: string, rel: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError(400, 'invalid_pipeline', `${rel} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      errors: [{ path: '/', message: 'is not valid JSON' }]
    });
  }
}

/** Pipeline files in the workspace: validation (any supported format) and Elyra import. */
export class PipelineService {
  constructor(private readonly deps: { workspaceDir: string; defaultImage: string; components?: ComponentExpander }) {}

  /** A pipeline from an inline document (v1, v1alpha1 or Elyra) or a workspace file. */
  load(source: { pipeline?: unknown; pipelinePath?: string }): Pipeline {
    if (source.pipelinePath !== undefined) {
      const rel = source.pipelinePath;
      const text = readWorkspaceFile(workspaceRoot(this.deps.workspaceDir), rel, 'file_not_found');
      if (extname(rel).toLowerCase() === '.pipeline') return importElyra(parseElyraText(text, rel), { defaultImage: this.deps.defaultImage });
      return loadPipeline(text, rel);
    }
    if (isElyraDoc(source.pipeline)) return importElyra(source.pipeline, { defaultImage: this.deps.defaultImage });
    return normalizePipeline(source.pipeline);
  }

  /** The pipeline with its component steps expanded and checked (400 invalid_pipeline), and the step order. */
  async validate(owner: string, source: { pipeline?: unknown; pipelinePath?: string }): Promise<{ pipeline: Pipeline; order: string[] }> {
    const loaded = this.load(source);
    if (!loaded.steps.some(s => s.component !== undefined)) return { pipeline: loaded, order: topoOrder(loaded) };
    if (!this.deps.components) throw invalidPipeline([{ path: '/steps', message: 'component steps are not available on this server' }]);
    const x = await this.deps.components.expand(owner, loaded);
    if (x.errors.length > 0) throw invalidPipeline(x.errors.map(({ path, message }) => ({ path, message })));
    const pipeline = normalizePipeline(x.pipeline);
    return { pipeline, order: topoOrder(pipeline) };
  }

  /** For the editor: never a 400 for a pipeline problem; every problem with the step it belongs to, and the typed ports of component steps. */
  async validatePerStep(owner: string, source: { pipeline?: unknown; pipelinePath?: string }): Promise<PipelineValidation> {
    let raw: unknown = source.pipeline;
    if (source.pipelinePath !== undefined) {
      try {
        raw = parseYaml(readWorkspaceFile(workspaceRoot(this.deps.workspaceDir), source.pipelinePath, 'file_not_found'));
      } catch {
        raw = undefined;
      }
    }
    const problems = (errors: FieldError[]): PipelineValidation['errors'] => errors.map(e => ({ path: e.path, message: e.message, step: stepOfPath(raw, e.path) }));
    let loaded: Pipeline;
    try {
      loaded = this.load(source);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_pipeline') {
        const errors = (err.details as { errors?: FieldError[] } | undefined)?.errors ?? [{ path: '/', message: err.message }];
        return { valid: false, errors: problems(errors), steps: {} };
      }
      throw err;
    }
    if (!loaded.steps.some(s => s.component !== undefined) || !this.deps.components) return { valid: true, pipeline: loaded, order: topoOrder(loaded), errors: [], steps: {} };
    const x = await this.deps.components.expand(owner, loaded);
    if (x.errors.length > 0) return { valid: false, errors: x.errors, steps: x.ports };
    const pipeline = normalizePipeline(x.pipeline);
    return { valid: true, pipeline, order: topoOrder(pipeline), errors: [], steps: x.ports };
  }

  /** Converts an Elyra pipeline; with `write`, saves it as YAML (or JSON) next to the .pipeline file, never overwriting. */
  importElyra(source: { path?: string; pipeline?: unknown; write?: string }): { pipeline: Pipeline; written?: string } {
    const doc = source.path !== undefined ? parseElyraText(readWorkspaceFile(workspaceRoot(this.deps.workspaceDir), source.path, 'file_not_found'), source.path) : source.pipeline;
    const pipeline = importElyra(doc, { defaultImage: this.deps.defaultImage });
    if (source.write === undefined) return { pipeline };
    const target = source.write;
    const ext = extname(target).toLowerCase();
    if (!['.yaml', '.yml', '.json'].includes(ext)) throw AppError.invalid('write must name a .yaml, .yml or .json file', { write: target });
    if (source.path !== undefined && posix.dirname(posix.normalize(target)) !== posix.dirname(posix.normalize(source.path))) {
      // Notebook paths are relative to the pipeline file: elsewhere they would point to nothing.
      throw AppError.invalid('write must name a file in the folder of the .pipeline file, as step paths are relative to it', { write: target });
    }
    refuseInsideWorkspace('Writing an imported pipeline');
    const abs = resolveInWorkspace(this.deps.workspaceDir, target);
    const text = ext === '.json' ? `${JSON.stringify(pipeline, null, 2)}\n` : `# Imported from an Elyra pipeline\n${stringify(pipeline)}`;
    mkdirSync(dirname(abs), { recursive: true });
    try {
      writeFileSync(abs, text, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError(409, 'exists', `${target} already exists`, { path: target });
      throw err;
    }
    return { pipeline, written: target };
  }
}
