import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { AppError } from './errors';

/**
 * A request made from inside a managed workspace (set by `workspaces/inside.ts`): which workspace,
 * how the caller reaches it, and the folder its files are read from (its home volume), or why they
 * may not be read (a view link: 403 workspace_read_only; an unreadable volume).
 */
export interface InsideWorkspace {
  id: string;
  access: 'owner' | 'collaborate' | 'view';
  root?: string;
  refusal?: AppError;
}

/**
 * Carried by an AsyncLocalStorage, so the services need no new parameter: set around the request's
 * handling (inside.ts also binds the request's body events to it, as body parsers call on from them).
 */
const inside = new AsyncLocalStorage<InsideWorkspace>();

/** Runs `fn` (and its async continuations) as a request from inside the workspace `context`. */
export function withWorkspaceRoot<T>(context: InsideWorkspace, fn: () => T): T {
  return inside.run(context, fn);
}

/** The workspace the current request comes from, if any. */
export function currentWorkspace(): InsideWorkspace | undefined {
  return inside.getStore();
}

/**
 * The folder the current request reads user files from: `configured` (the server's workspace dir),
 * or the home of the managed workspace it comes from. Throws the refusal when that may not be read.
 */
export function workspaceRoot(configured: string): string {
  const ctx = inside.getStore();
  if (!ctx) return configured;
  if (ctx.root === undefined) throw ctx.refusal ?? new AppError(403, 'workspace_read_only', 'The files of this workspace cannot be read');
  return ctx.root;
}

/** Whether the current request comes from inside a managed workspace. */
export function insideWorkspace(): boolean {
  return inside.getStore() !== undefined;
}

/**
 * For features that write into the workspace dir (git, templates, datasets added from a path, pipeline
 * import): from inside a managed workspace they would act on the server's folder, not the
 * workspace's, so they answer 409 not_available_in_workspace there.
 */
export function refuseInsideWorkspace(what: string): void {
  if (insideWorkspace()) {
    throw new AppError(
      409,
      'not_available_in_workspace',
      `${what} is not available from inside a workspace yet: use it from the JupyterLab Conveyor itself runs in`,
      { feature: what }
    );
  }
}

/** Limits of one `expandGlobs` call: past them the request is refused with 400 too_many_files. */
export const GLOB_LIMITS = { maxFiles: 2000, maxTotalBytes: 512 * 1024 * 1024 };

function outside(rel: string, why: string): AppError {
  return new AppError(400, 'path_outside_workspace', `The path "${rel}" ${why}`, { path: rel });
}

function isInside(root: string, target: string): boolean {
  const r = relative(root, target);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** The real path of `p`, or of its deepest existing ancestor joined with the rest (for missing files). */
function realpathOfExisting(p: string): string {
  let current = p;
  const rest: string[] = [];
  while (!existsSync(current)) {
    const parent = resolve(current, '..');
    if (parent === current) {
      break;
    }
    rest.unshift(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    current = parent;
  }
  return join(realpathSync(current), ...rest);
}

/**
 * The absolute path of `rel` inside `root`. Refuses absolute paths, NUL bytes, `..` escapes and
 * symlinks that resolve outside the root (400 path_outside_workspace). A missing file is not an
 * error here: the caller answers 404 with its own code.
 */
export function resolveInWorkspace(root: string, rel: string): string {
  if (typeof rel !== 'string' || rel === '') {
    throw outside(String(rel), 'is empty');
  }
  if (rel.includes('\0')) {
    throw outside(rel.replace(/\0/g, '\\0'), 'contains a NUL byte');
  }
  if (isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel) || rel.startsWith('\\')) {
    throw outside(rel, 'is absolute; paths are relative to the workspace');
  }
  const rootAbs = resolve(root);
  const target = resolve(rootAbs, normalize(rel));
  if (!isInside(rootAbs, target)) {
    throw outside(rel, 'leaves the workspace');
  }
  const realRoot = realpathSync(rootAbs);
  const real = realpathOfExisting(target);
  if (!isInside(realRoot, real)) {
    throw outside(rel, 'resolves (through a symlink) outside the workspace');
  }
  return target;
}

/**
 * Reads the file `rel` inside `root` without a check-then-read race: the path is checked, the file
 * is opened, and the OPENED file's real path (`/proc/self/fd`) is
 * checked again before a byte is read. A symlink swapped in between (from inside a managed
 * workspace, whose files the server reads as root) is refused with 400 path_outside_workspace.
 * Missing → ENOENT error (callers answer their own 404); not a regular file → 400 not_a_file.
 */
export function readInWorkspace(root: string, rel: string, maxBytes = Infinity): Buffer {
  const abs = resolveInWorkspace(root, rel);
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    let opened = abs;
    try {
      opened = realpathSync(`/proc/self/fd/${fd}`);
    } catch {
      // No /proc (not Linux): the checks of resolveInWorkspace stand alone.
    }
    if (!isInside(realpathSync(resolve(root)), opened)) throw outside(rel, 'resolves (through a symlink) outside the workspace');
    const st = fstatSync(fd);
    if (!st.isFile()) throw new AppError(400, 'not_a_file', `${rel} is not a file`, { path: rel });
    if (st.size > maxBytes) throw new AppError(400, 'file_too_large', `${rel} is larger than ${maxBytes} bytes`, { path: rel, size: st.size });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Expands globs relative to `baseDir` (itself relative to `root`) into file paths relative to
 * `baseDir`, sorted. Globs with `..` or absolute globs are refused; symlinks are not followed (and
 * anything resolving outside the root is dropped); too many files or bytes → 400 too_many_files.
 */
export function expandGlobs(root: string, baseDir: string, globs: string[]): string[] {
  const base = resolveInWorkspace(root, baseDir === '' ? '.' : baseDir);
  for (const g of globs) {
    if (g.includes('\0') || isAbsolute(g) || g.split(/[\\/]/).includes('..')) {
      throw outside(g, 'is not a glob relative to the pipeline folder');
    }
  }
  if (globs.length === 0 || !existsSync(base)) {
    return [];
  }
  const found = globSync(globs, { cwd: base, onlyFiles: true, dot: false, followSymbolicLinks: false });
  const realRoot = realpathSync(resolve(root));
  const files: string[] = [];
  let total = 0;
  for (const f of [...new Set(found)].sort()) {
    const abs = join(base, f);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      continue; // dangling symlink
    }
    if (!isInside(realRoot, real)) {
      continue;
    }
    const st = statSync(real);
    if (!st.isFile()) {
      continue;
    }
    total += st.size;
    files.push(f.split(sep).join('/'));
    if (files.length > GLOB_LIMITS.maxFiles || total > GLOB_LIMITS.maxTotalBytes) {
      throw new AppError(
        400,
        'too_many_files',
        `The globs ${JSON.stringify(globs)} match more than ${GLOB_LIMITS.maxFiles} files or ${GLOB_LIMITS.maxTotalBytes} bytes`,
        { globs, maxFiles: GLOB_LIMITS.maxFiles, maxTotalBytes: GLOB_LIMITS.maxTotalBytes }
      );
    }
  }
  return files;
}
