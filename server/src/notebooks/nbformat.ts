import { AppError } from '../core/errors';

/** The parts of an nbformat 4 notebook the server reads. */
export interface NbCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string;
  metadata: Record<string, unknown>;
  outputs: NbOutput[];
}

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
}

export function joinSource(src: unknown): string {
  if (Array.isArray(src)) return src.map(s => String(s)).join('');
  return typeof src === 'string' ? src : '';
}

function invalid(message: string): AppError {
  return new AppError(400, 'invalid_notebook', message);
}

/** Checks a parsed notebook is nbformat 4 and returns its cells with sources joined (400 invalid_notebook otherwise). */
export function readNotebook(nb: unknown): Notebook {
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) throw invalid('The notebook is not a JSON object');
  const doc = nb as Record<string, unknown>;
  if (doc.nbformat !== 4) throw invalid(`Only nbformat 4 notebooks are supported (got nbformat ${JSON.stringify(doc.nbformat ?? null)})`);
  if (!Array.isArray(doc.cells)) throw invalid('The notebook has no cells list');
  const cells = doc.cells.map((c, i): NbCell => {
    if (typeof c !== 'object' || c === null) throw invalid(`Cell ${i} is not an object`);
    const cell = c as Record<string, unknown>;
    const type = cell.cell_type;
    if (type !== 'code' && type !== 'markdown' && type !== 'raw') throw invalid(`Cell ${i} has an unknown cell_type ${JSON.stringify(type ?? null)}`);
    return {
      cell_type: type,
      id: typeof cell.id === 'string' ? cell.id : undefined,
      source: joinSource(cell.source),
      metadata: typeof cell.metadata === 'object' && cell.metadata !== null ? (cell.metadata as Record<string, unknown>) : {},
      outputs: Array.isArray(cell.outputs) ? (cell.outputs as NbOutput[]) : []
    };
  });
  return { cells, metadata: typeof doc.metadata === 'object' && doc.metadata !== null ? (doc.metadata as Record<string, unknown>) : {} };
}

/** Parses notebook file text (400 invalid_notebook when it is not JSON). */
export function parseNotebookText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`The notebook is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function tagsOf(cell: NbCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}
