import { createHash } from 'node:crypto';
import { diffArrays, diffLines } from 'diff';
import type { DiffHunk, NotebookCellDiff, NotebookDiff } from '../../../schema/generated/api';
import { type NbCell, type NbOutput, readNotebook, tagsOf } from './nbformat';
import { parseParameterSource } from './parameters';

/**
 * Cell-level diff of two notebooks (a → b), independent of runs: used for executed notebooks of
 * two runs and, later, for two git revisions. Cells are aligned by id when both notebooks carry
 * overlapping ids, else by source; papermill's injected-parameters cells are always aligned.
 */

const VOLATILE_METADATA = new Set(['papermill', 'execution', 'ExecuteTime', 'collapsed', 'scrolled']);
const MAX_SUMMARY = 2000;

function kindOf(cell: NbCell): NotebookCellDiff['kind'] {
  const tags = tagsOf(cell);
  if (cell.cell_type === 'code' && tags.includes('injected-parameters')) return 'injected-parameters';
  if (cell.cell_type === 'code' && tags.includes('parameters')) return 'parameters';
  return cell.cell_type;
}

function textOf(v: unknown): string {
  return Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v);
}

function clip(s: string): string {
  const t = s.replace(/\n$/, '');
  return t.length > MAX_SUMMARY ? `${t.slice(0, MAX_SUMMARY)}… (${t.length} characters)` : t;
}

/** One line of text per output: text/plain, stream text, `ename: evalue`, `<image/png N bytes>`. */
export function summarizeOutputs(outputs: NbOutput[]): string[] {
  const out: string[] = [];
  for (const o of outputs) {
    if (o.output_type === 'stream') out.push(clip(textOf(o.text)));
    else if (o.output_type === 'error') out.push(`${o.ename ?? 'Error'}: ${o.evalue ?? ''}`);
    else if (o.data && typeof o.data === 'object') {
      const data = o.data;
      for (const mime of Object.keys(data).sort()) {
        if (mime.startsWith('image/')) {
          const raw = textOf(data[mime]).replace(/\s+/g, '');
          const bytes = mime === 'image/svg+xml' ? Buffer.byteLength(textOf(data[mime])) : Buffer.from(raw, 'base64').length;
          out.push(`<${mime} ${bytes} bytes>`);
        }
      }
      if ('text/plain' in data) out.push(clip(textOf(data['text/plain'])));
      else {
        for (const mime of Object.keys(data).sort()) {
          if (!mime.startsWith('image/')) out.push(`<${mime} ${Buffer.byteLength(textOf(data[mime]))} bytes>`);
        }
      }
    }
  }
  return out;
}

function stableMetadata(cell: NbCell): string {
  const keys = Object.keys(cell.metadata).filter(k => !VOLATILE_METADATA.has(k)).sort();
  return JSON.stringify(keys.map(k => [k, cell.metadata[k]]));
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

function hunks(a: string, b: string): DiffHunk[] {
  if (a === b) return a === '' ? [] : [{ op: 'equal', lines: lines(a) }];
  return diffLines(a, b).map(part => ({ op: part.added ? 'insert' : part.removed ? 'delete' : 'equal', lines: lines(part.value) }));
}

function keysOf(cells: NbCell[], byId: boolean): string[] {
  return cells.map(c => {
    if (kindOf(c) === 'injected-parameters') return '\0injected';
    if (byId) return `id:${c.id}`;
    return `src:${createHash('sha256').update(`${c.cell_type}\0${c.source}`).digest('hex')}`;
  });
}

interface Pair {
  a?: number;
  b?: number;
  how: 'aligned' | 'moved' | 'paired';
}

/** Matches cells: the longest common subsequence of keys, then same keys out of order (moved), then same-type neighbours (modified). */
function align(a: NbCell[], b: NbCell[]): { pairs: Pair[]; byId: boolean } {
  const idsA = a.map(c => c.id);
  const idsB = b.map(c => c.id);
  const byId = idsA.every(Boolean) && idsB.every(Boolean) && idsA.some(id => idsB.includes(id));
  const ka = keysOf(a, byId);
  const kb = keysOf(b, byId);
  const aToB = new Map<number, number>();
  const how = new Map<number, Pair['how']>();
  let i = 0;
  let j = 0;
  for (const change of diffArrays(ka, kb)) {
    const n = change.count ?? change.value.length;
    if (change.added) j += n;
    else if (change.removed) i += n;
    else {
      for (let k = 0; k < n; k++) {
        aToB.set(i + k, j + k);
        how.set(i + k, 'aligned');
      }
      i += n;
      j += n;
    }
  }
  const matchedB = () => new Set(aToB.values());
  // Same key, other position: moved.
  let usedB = matchedB();
  a.forEach((_, ai) => {
    if (aToB.has(ai)) return;
    const bj = kb.findIndex((k, idx) => k === ka[ai] && !usedB.has(idx));
    if (bj >= 0) {
      aToB.set(ai, bj);
      how.set(ai, 'moved');
      usedB.add(bj);
    }
  });
  // Without ids, an edited cell has a new key: pair the unmatched cells of each gap by type.
  if (!byId) {
    usedB = matchedB();
    const anchors = [...aToB.entries()].filter(([ai]) => how.get(ai) === 'aligned').sort((x, y) => x[0] - y[0]);
    let prevA = -1;
    let prevB = -1;
    for (const [ai, bj] of [...anchors, [a.length, b.length] as [number, number]]) {
      const freeB = [];
      for (let x = prevB + 1; x < bj; x++) if (!usedB.has(x)) freeB.push(x);
      for (let x = prevA + 1; x < ai; x++) {
        if (aToB.has(x)) continue;
        const k = freeB.findIndex(y => b[y].cell_type === a[x].cell_type);
        if (k >= 0) {
          aToB.set(x, freeB[k]);
          how.set(x, 'paired');
          usedB.add(freeB[k]);
          freeB.splice(0, k + 1);
        }
      }
      prevA = ai;
      prevB = bj;
    }
  }
  // Order: b's order, each removed cell after the b position of the a cell before it.
  const pairs: (Pair & { pos: number; tie: number })[] = [];
  const bToA = new Map([...aToB.entries()].map(([x, y]) => [y, x]));
  b.forEach((_, bj) => {
    const ai = bToA.get(bj);
    pairs.push(ai === undefined ? { b: bj, how: 'aligned', pos: bj, tie: 0 } : { a: ai, b: bj, how: how.get(ai)!, pos: bj, tie: 0 });
  });
  let lastB = -1;
  a.forEach((_, ai) => {
    const bj = aToB.get(ai);
    if (bj !== undefined) {
      if (how.get(ai) !== 'moved') lastB = bj;
    } else {
      pairs.push({ a: ai, how: 'aligned', pos: lastB + 0.5, tie: ai });
    }
  });
  pairs.sort((x, y) => x.pos - y.pos || x.tie - y.tie);
  return { pairs, byId };
}

function paramValues(cells: NbCell[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const kind of ['parameters', 'injected-parameters'] as const) {
    const cell = cells.find(c => kindOf(c) === kind);
    for (const p of cell ? parseParameterSource(cell.source) : []) values[p.name] = p.value;
  }
  return values;
}

export function diffNotebooks(a: unknown, b: unknown): NotebookDiff {
  const na = readNotebook(a);
  const nb = readNotebook(b);
  const { pairs } = align(na.cells, nb.cells);
  const summary = { added: 0, removed: 0, modified: 0, moved: 0, unchanged: 0 };
  const cells = pairs.map((p): NotebookCellDiff => {
    const ca = p.a === undefined ? undefined : na.cells[p.a];
    const cb = p.b === undefined ? undefined : nb.cells[p.b];
    const cell = (cb ?? ca)!;
    const outA = ca ? summarizeOutputs(ca.outputs) : [];
    const outB = cb ? summarizeOutputs(cb.outputs) : [];
    const outputsChanged = JSON.stringify(outA) !== JSON.stringify(outB);
    let status: NotebookCellDiff['status'];
    if (!ca) status = 'added';
    else if (!cb) status = 'removed';
    else if (p.how === 'moved') status = 'moved';
    else status = ca.source === cb.source && !outputsChanged && ca.cell_type === cb.cell_type ? 'unchanged' : 'modified';
    summary[status]++;
    const entry: NotebookCellDiff = {
      status,
      cellType: cell.cell_type,
      kind: kindOf(cell),
      source: hunks(ca?.source ?? '', cb?.source ?? ''),
      outputsChanged,
      outputs: { a: outA, b: outB },
      metadataChanged: !!ca && !!cb && stableMetadata(ca) !== stableMetadata(cb)
    };
    if (p.a !== undefined) entry.a = p.a;
    if (p.b !== undefined) entry.b = p.b;
    return entry;
  });
  const pa = paramValues(na.cells);
  const pb = paramValues(nb.cells);
  const changed = [...new Set([...Object.keys(pa), ...Object.keys(pb)])]
    .filter(k => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
    .sort();
  return { cells, params: { a: pa, b: pb, changed }, summary };
}
