import { createTwoFilesPatch, diffLines } from 'diff';
import type { DiffHunk, GitDiff } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { diffNotebooks } from '../notebooks/diff';
import { readAt } from './history';
import type { Repo } from './repo';

const MAX_TEXT = 2 * 1024 * 1024;
const EMPTY_NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };

function isBinary(b: Uint8Array): boolean {
  return b.subarray(0, 8000).includes(0);
}

function metadataHunks(a: unknown, b: unknown): { changed: boolean; hunks: DiffHunk[] } {
  const ta = `${JSON.stringify(a ?? {}, null, 1)}\n`;
  const tb = `${JSON.stringify(b ?? {}, null, 1)}\n`;
  if (ta === tb) return { changed: false, hunks: [] };
  const lines = (s: string): string[] => s.replace(/\n$/, '').split('\n');
  return { changed: true, hunks: diffLines(ta, tb).map(p => ({ op: p.added ? 'insert' : p.removed ? 'delete' : 'equal', lines: lines(p.value) })) };
}

function parse(content: Uint8Array | null): unknown {
  return content === null ? EMPTY_NOTEBOOK : JSON.parse(Buffer.from(content).toString('utf8'));
}

/**
 * Diff of `path` between two versions (`from`, `to`: commit-ish, INDEX or WORKTREE). Notebooks get
 * the cell-level diff of notebooks/diff.ts plus the notebook metadata; a notebook that does not
 * parse falls back to a text diff with a warning; other files get a unified patch.
 */
export async function diffPath(repo: Repo, path: string, from: string, to: string): Promise<GitDiff> {
  const [a, b] = await Promise.all([readAt(repo, from, path), readAt(repo, to, path)]);
  if (a.content === null && b.content === null) {
    throw new AppError(404, 'file_not_found', `"${path}" exists neither at ${from} nor at ${to}`, { path, from, to });
  }
  const base = { path, from, to, fromOid: a.oid, toOid: b.oid };
  const warnings: string[] = [];
  if (path.toLowerCase().endsWith('.ipynb')) {
    try {
      const na = parse(a.content);
      const nb = parse(b.content);
      const diff = diffNotebooks(na, nb);
      const meta = metadataHunks((na as { metadata?: unknown }).metadata, (nb as { metadata?: unknown }).metadata);
      return { ...base, kind: 'notebook', diff, metadata: meta, warnings };
    } catch (err) {
      const why = err instanceof AppError || err instanceof SyntaxError ? err.message : String(err);
      warnings.push(`The notebook could not be read as a notebook (${why}); showing a text diff instead.`);
    }
  }
  for (const side of [a.content, b.content]) {
    if (side && isBinary(side)) return { ...base, kind: 'binary', warnings: [...warnings, 'Binary file: no text diff.'] };
    if (side && side.length > MAX_TEXT) return { ...base, kind: 'binary', warnings: [...warnings, `The file is larger than ${MAX_TEXT} bytes: no text diff.`] };
  }
  const ta = a.content ? Buffer.from(a.content).toString('utf8') : '';
  const tb = b.content ? Buffer.from(b.content).toString('utf8') : '';
  const patch = createTwoFilesPatch(a.content ? `a/${path}` : '/dev/null', b.content ? `b/${path}` : '/dev/null', ta, tb, from, to);
  return { ...base, kind: 'text', patch, warnings };
}
