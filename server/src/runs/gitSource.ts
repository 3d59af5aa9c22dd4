import * as fs from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import git from 'isomorphic-git';

/**
 * The commit checked out in the git repository holding `relPath` (a workspace-relative file),
 * or null when the file is in no repository inside the workspace, or the repository has no
 * commit yet. Runs record it so a result can be traced to the version of the notebook it ran.
 */
export async function gitCommitOf(workspaceDir: string, relPath: string): Promise<string | null> {
  const root = resolve(workspaceDir);
  try {
    const repo = await git.findRoot({ fs, filepath: dirname(resolve(root, relPath)) });
    const inside = relative(root, repo);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      return null;
    }
    return await git.resolveRef({ fs, dir: repo, ref: 'HEAD' });
  } catch {
    return null;
  }
}
