import { createHash } from 'node:crypto';
import { AppError } from '../core/errors';

/** One file of a directory version: the `.dir` entry DVC writes. */
export interface DirEntry {
  md5: string;
  relpath: string;
}

export const MD5 = /^[0-9a-f]{32}$/;
export const OBJECT_ID = /^[0-9a-f]{32}(\.dir)?$/;

/** Python's str ordering (by code point), which DVC sorts `.dir` entries with. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP code unit in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A JSON string as Python's `json.dumps(ensure_ascii=True)` writes it. */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The bytes of a `.dir` object, identical to DVC 3's: `json.dumps(sorted entries, sort_keys=True)`
 * with Python's default separators, ASCII-escaped, no trailing newline.
 */
export function dirBytes(entries: DirEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  const parts = sorted.map(e => `{"md5": "${e.md5}", "relpath": ${pyJsonString(e.relpath)}}`);
  return Buffer.from(`[${parts.join(', ')}]`, 'utf8');
}

/** The object id of a `.dir`: md5 of its bytes plus `.dir`. */
export function dirId(bytes: Buffer): string {
  return `${createHash('md5').update(bytes).digest('hex')}.dir`;
}

/**
 * A relative path inside a dataset: POSIX separators, no empty, `.` or `..` segment, not
 * absolute, no NUL. Anything else is refused with 400 `invalid_dataset_path`.
 */
export function checkRelpath(relpath: unknown, where: string): string {
  const bad = (why: string) => new AppError(400, 'invalid_dataset_path', `${where}: the path ${JSON.stringify(relpath)} ${why}`, { path: relpath });
  if (typeof relpath !== 'string' || relpath === '') throw bad('is empty');
  if (relpath.length > 4096) throw bad('is too long');
  if (relpath.includes('\0')) throw bad('contains a NUL byte');
  if (relpath.startsWith('/') || /^[A-Za-z]:/.test(relpath)) throw bad('is absolute');
  for (const seg of relpath.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw bad('has an empty, "." or ".." segment');
  }
  return relpath;
}

/**
 * Parses and checks a `.dir` object (as DVC or Conveyor wrote it): a list of `{md5, relpath}`
 * with safe, unique relpaths. Extra keys DVC may add with meta (size, isexec) are ignored.
 */
export function parseDir(bytes: Buffer, id: string): DirEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError(422, 'invalid_manifest', `The directory object ${id} is not valid JSON`, { object: id });
  }
  if (!Array.isArray(raw)) throw new AppError(422, 'invalid_manifest', `The directory object ${id} is not a list`, { object: id });
  const seen = new Set<string>();
  const entries: DirEntry[] = [];
  for (const item of raw) {
    const e = item as { md5?: unknown; relpath?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.md5 !== 'string' || !MD5.test(e.md5)) {
      throw new AppError(422, 'invalid_manifest', `The directory object ${id} has an entry without a valid md5`, { object: id });
    }
    const relpath = checkRelpath(e.relpath, `Directory object ${id}`);
    if (seen.has(relpath)) throw new AppError(422, 'invalid_manifest', `The directory object ${id} lists ${relpath} twice`, { object: id });
    seen.add(relpath);
    entries.push({ md5: e.md5, relpath });
  }
  return entries;
}
