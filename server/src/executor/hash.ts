import { createHash } from 'node:crypto';
export { hashContent } from '../artifacts/store';

function sourceText(source: unknown): string {
  return Array.isArray(source) ? source.join('') : typeof source === 'string' ? source : '';
}

/**
 * sha256 hex of what a notebook computes: each cell's type and source, and the kernel language.
 * Outputs, execution counts and metadata (which every save changes) do not count, so re-saving a
 * notebook after running it keeps its hash. Text that is not a notebook is hashed as bytes.
 */
export function notebookHash(content: Buffer | string | object): string {
  let nb: unknown = content;
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    try {
      nb = JSON.parse(content.toString());
    } catch {
      return createHash('sha256').update(content).digest('hex');
    }
  }
  const doc = nb as { cells?: { cell_type?: string; source?: unknown }[]; metadata?: { kernelspec?: { language?: string } } };
  const canonical = JSON.stringify({
    language: doc.metadata?.kernelspec?.language ?? null,
    cells: (doc.cells ?? []).map(c => [c.cell_type ?? 'code', sourceText(c.source)])
  });
  return createHash('sha256').update(canonical).digest('hex');
}
