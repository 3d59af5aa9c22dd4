import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, posix } from 'node:path';
import { stringify } from 'yaml';
import type { Pipeline } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { resolveInWorkspace } from '../core/workspace';
import { topoOrder } from './dag';
import { importElyra } from './elyra';
import { loadPipeline, normalizePipeline } from './load';

/** The largest pipeline or notebook file the server reads. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Reads a workspace file as text: 404 `notFoundCode` when missing, 400 when it is a folder or too large. */
export function readWorkspaceFile(root: string, rel: string, notFoundCode: string): string {
  const abs = resolveInWorkspace(root, rel);
  let size: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) throw new AppError(400, 'not_a_file', `${rel} is not a file`, { path: rel });
    size = st.size;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(404, notFoundCode, `No file ${rel} in the workspace`, { path: rel });
  }
  if (size > MAX_FILE_BYTES) throw new AppError(400, 'file_too_large', `${rel} is larger than ${MAX_FILE_BYTES} bytes`, { path: rel, size });
  return readFileSync(abs, 'utf8');
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
  constructor(private readonly deps: { workspaceDir: string; defaultImage: string }) {}

  /** A pipeline from an inline document (v1, v1alpha1 or Elyra) or a workspace file. */
  load(source: { pipeline?: unknown; pipelinePath?: string }): Pipeline {
    if (source.pipelinePath !== undefined) {
      const rel = source.pipelinePath;
      const text = readWorkspaceFile(this.deps.workspaceDir, rel, 'file_not_found');
      if (extname(rel).toLowerCase() === '.pipeline') return importElyra(parseElyraText(text, rel), { defaultImage: this.deps.defaultImage });
      return loadPipeline(text, rel);
    }
    if (isElyraDoc(source.pipeline)) return importElyra(source.pipeline, { defaultImage: this.deps.defaultImage });
    return normalizePipeline(source.pipeline);
  }

  validate(source: { pipeline?: unknown; pipelinePath?: string }): { pipeline: Pipeline; order: string[] } {
    const pipeline = this.load(source);
    return { pipeline, order: topoOrder(pipeline) };
  }

  /** Converts an Elyra pipeline; with `write`, saves it as YAML (or JSON) next to the .pipeline file, never overwriting. */
  importElyra(source: { path?: string; pipeline?: unknown; write?: string }): { pipeline: Pipeline; written?: string } {
    const doc = source.path !== undefined ? parseElyraText(readWorkspaceFile(this.deps.workspaceDir, source.path, 'file_not_found'), source.path) : source.pipeline;
    const pipeline = importElyra(doc, { defaultImage: this.deps.defaultImage });
    if (source.write === undefined) return { pipeline };
    const target = source.write;
    const ext = extname(target).toLowerCase();
    if (!['.yaml', '.yml', '.json'].includes(ext)) throw AppError.invalid('write must name a .yaml, .yml or .json file', { write: target });
    if (source.path !== undefined && posix.dirname(posix.normalize(target)) !== posix.dirname(posix.normalize(source.path))) {
      // Notebook paths are relative to the pipeline file: elsewhere they would point to nothing.
      throw AppError.invalid('write must name a file in the folder of the .pipeline file, as step paths are relative to it', { write: target });
    }
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
