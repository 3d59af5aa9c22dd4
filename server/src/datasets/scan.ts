import { promises as fs, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { AppError } from '../core/errors';

export interface ScannedFile {
  relpath: string;
  abs: string;
  size: number;
  dev: bigint;
  ino: bigint;
  mtimeNs: bigint;
}

/** Folders DVC never tracks inside a dataset. */
const SKIP_DIRS = new Set(['.git', '.dvc', '.hg']);

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * Every regular file under `dir` (relpaths with `/`), with what the hash cache is keyed on.
 * Symlinks to files inside the workspace are followed; symlinks leaving it are refused (400);
 * symlinked folders, sockets and the like are skipped.
 */
export async function scanTree(dir: string, workspace: string, limit: number): Promise<ScannedFile[]> {
  const realWorkspace = realpathSync(workspace);
  const out: ScannedFile[] = [];
  const pending: { abs: string; rel: string; link: boolean }[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(abs, { withFileTypes: true });
    for (const e of entries) {
      const childAbs = join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(childAbs, childRel);
      } else if (e.isFile() || e.isSymbolicLink()) {
        pending.push({
          abs: childAbs,
          rel: childRel,
          link: e.isSymbolicLink()
        });
        if (pending.length > limit) {
          throw new AppError(400, 'too_many_files', `The folder has more than ${limit} files`, { limit });
        }
      }
    }
  };
  await walk(dir, '');
  // Synchronous stats in chunks (a stat of a cached inode is microseconds; a promise through the
  // thread pool costs more than the call), yielding to the event loop between chunks.
  const CHUNK = 2000;
  for (let i = 0; i < pending.length; i += CHUNK) {
    if (i > 0) await new Promise(resolve => setImmediate(resolve));
    for (const p of pending.slice(i, i + CHUNK)) {
      const st = statSync(p.abs, { bigint: true, throwIfNoEntry: false });
      if (!st || !st.isFile()) continue;
      if (p.link && !inside(realWorkspace, realpathSync(p.abs))) {
        throw new AppError(400, 'path_outside_workspace', `${p.rel} is a symlink leading outside the workspace`, { path: p.rel });
      }
      out.push({ relpath: p.rel, abs: p.abs, size: Number(st.size), dev: st.dev, ino: st.ino, mtimeNs: st.mtimeNs });
    }
  }
  return out;
}
