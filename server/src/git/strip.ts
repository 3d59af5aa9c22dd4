/**
 * "Strip outputs on commit": the blob committed for a notebook has no outputs and no execution
 * counts. The bytes are rewritten only when something was stripped (so an already clean notebook
 * keeps its exact formatting), as Jupyter writes notebooks: one-space indent, sorted keys.
 */

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The notebook bytes without outputs; the input unchanged when it is not a notebook or has nothing to strip. */
export function stripNotebookBytes(content: Uint8Array): Uint8Array {
  let nb: unknown;
  try {
    nb = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return content;
  }
  if (!nb || typeof nb !== 'object' || !Array.isArray((nb as { cells?: unknown }).cells)) return content;
  let changed = false;
  for (const cell of (nb as { cells: Record<string, unknown>[] }).cells) {
    if (!cell || typeof cell !== 'object' || cell.cell_type !== 'code') continue;
    if (Array.isArray(cell.outputs) && cell.outputs.length > 0) {
      cell.outputs = [];
      changed = true;
    }
    if (cell.execution_count !== null && cell.execution_count !== undefined) {
      cell.execution_count = null;
      changed = true;
    }
  }
  if (!changed) return content;
  return Buffer.from(`${JSON.stringify(sortKeys(nb), null, 1)}\n`, 'utf8');
}
