import type { StepError } from './job';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

interface Cell {
  cell_type?: string;
  metadata?: { tags?: string[]; papermill?: { exception?: boolean; status?: string } };
  outputs?: { output_type?: string; ename?: string; evalue?: string; traceback?: string[] }[];
}

/** Cells papermill adds to the executed notebook; they are not the user's. */
const ADDED_TAGS = new Set(['injected-parameters', 'papermill-error-cell-tag']);

function isAdded(cell: Cell): boolean {
  return (cell.metadata?.tags ?? []).some(t => ADDED_TAGS.has(t));
}

/** What papermill recorded about an executed notebook. */
export interface ExecutedNotebookInfo {
  /** papermill.duration: seconds from kernel start to the end of the last cell. */
  duration: number | null;
  /** The cell that raised, if one did. */
  error: Omit<StepError, 'lastLines'> | null;
}

/**
 * Reads papermill's executed notebook: the failing cell is the code cell papermill marked with
 * `metadata.papermill.exception: true` (or, failing that, the first with an `error` output).
 * `cellIndex` counts the cells of the notebook as submitted (0-based; messages say `cell <index + 1>`, as people count), skipping the cells papermill
 * inserts (the injected-parameters cell and its red "An Exception was encountered" markdown cells).
 */
export function readExecutedNotebook(content: Buffer): ExecutedNotebookInfo {
  let nb: { cells?: Cell[]; metadata?: { papermill?: { duration?: number } } };
  try {
    nb = JSON.parse(content.toString('utf8'));
  } catch {
    return { duration: null, error: null };
  }
  const duration = typeof nb.metadata?.papermill?.duration === 'number' ? nb.metadata.papermill.duration : null;
  const cells = (nb.cells ?? []).filter(c => !isAdded(c));
  const hasError = (c: Cell) => (c.outputs ?? []).some(o => o.output_type === 'error');
  let index = cells.findIndex(c => c.metadata?.papermill?.exception === true);
  if (index < 0) {
    index = cells.findIndex(hasError);
  }
  if (index < 0) {
    return { duration, error: null };
  }
  const output = (cells[index].outputs ?? []).find(o => o.output_type === 'error');
  const ename = output?.ename ?? 'Error';
  const evalue = output?.evalue ?? '';
  return {
    duration,
    error: {
      message: `cell ${index + 1} raised ${ename}${evalue ? `: ${evalue}` : ''}`,
      cellIndex: index,
      ename,
      evalue,
      traceback: (output?.traceback ?? []).map(stripAnsi)
    }
  };
}
