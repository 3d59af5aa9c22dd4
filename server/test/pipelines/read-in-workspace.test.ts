import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors';
import { readInWorkspace } from '../../src/core/workspace';
import { tempDir } from '../helpers/env';

/**
 * readInWorkspace checks the file it OPENED, not only the path it was given: files of a managed
 * workspace are read by the server as root while the workspace's user may swap symlinks.
 */
describe('readInWorkspace', () => {
  let dir: ReturnType<typeof tempDir>;
  let root: string;
  beforeEach(() => {
    dir = tempDir('read-in-workspace');
    root = join(dir.path, 'root');
    mkdirSync(join(root, 'nb'), { recursive: true });
    mkdirSync(join(dir.path, 'outside'));
    writeFileSync(join(root, 'nb', 'a.ipynb'), 'inside');
    writeFileSync(join(dir.path, 'outside', 'secret.txt'), 'secret');
    symlinkSync(join(root, 'nb', 'a.ipynb'), join(root, 'nb', 'alias.ipynb'));
    symlinkSync(join(dir.path, 'outside', 'secret.txt'), join(root, 'nb', 'out.ipynb'));
  });
  afterEach(() => dir.cleanup());

  const codeOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError) return `${err.status} ${err.code}`;
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
    return 'ok';
  };

  it('reads files and in-root symlinks; refuses escapes, folders, FIFOs and oversized files', () => {
    expect(readInWorkspace(root, 'nb/a.ipynb').toString()).toBe('inside');
    expect(readInWorkspace(root, 'nb/alias.ipynb').toString()).toBe('inside');
    expect(codeOf(() => readInWorkspace(root, 'nb/out.ipynb'))).toBe('400 path_outside_workspace');
    expect(codeOf(() => readInWorkspace(root, '../outside/secret.txt'))).toBe('400 path_outside_workspace');
    expect(codeOf(() => readInWorkspace(root, 'nb/missing.ipynb'))).toBe('ENOENT');
    expect(codeOf(() => readInWorkspace(root, 'nb'))).toBe('400 not_a_file');
    execFileSync('mkfifo', [join(root, 'nb', 'pipe')]);
    expect(codeOf(() => readInWorkspace(root, 'nb/pipe'))).toBe('400 not_a_file');
    expect(codeOf(() => readInWorkspace(root, 'nb/a.ipynb', 3))).toBe('400 file_too_large');
  });

  it('never returns a file outside the root while a symlink is swapped between an inside and an outside target', async () => {
    const link = join(root, 'nb', 'race.ipynb');
    symlinkSync(join(root, 'nb', 'a.ipynb'), link);
    // Another process flips the link as fast as it can (what a workspace user could do).
    const flipper = spawn('bash', ['-c', `while true; do ln -sfn '${join(root, 'nb', 'a.ipynb')}' '${link}'; ln -sfn '${join(dir.path, 'outside', 'secret.txt')}' '${link}'; done`], {
      stdio: 'ignore'
    });
    try {
      await new Promise(r => setTimeout(r, 100));
      const seen = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        let got: string;
        try {
          got = readInWorkspace(root, 'nb/race.ipynb').toString();
        } catch (err) {
          got = err instanceof AppError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'error');
        }
        seen.set(got, (seen.get(got) ?? 0) + 1);
        if (i % 100 === 99) await new Promise(r => setImmediate(r));
      }
      expect(seen.get('secret')).toBeUndefined();
      // The race really ran: both outcomes of the check were seen.
      expect(seen.get('inside')).toBeGreaterThan(0);
      expect(seen.get('path_outside_workspace')).toBeGreaterThan(0);
    } finally {
      flipper.kill('SIGKILL');
    }
  });
});
