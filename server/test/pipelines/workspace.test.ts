import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors';
import { GLOB_LIMITS, expandGlobs, resolveInWorkspace } from '../../src/core/workspace';
import { tempDir } from '../helpers/env';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    return (err as AppError).code;
  }
  throw new Error('expected an AppError');
}

describe('workspace paths', () => {
  let dir: ReturnType<typeof tempDir>;
  let root: string;
  let outside: string;
  beforeEach(() => {
    dir = tempDir('workspace');
    root = join(dir.path, 'root');
    outside = join(dir.path, 'outside');
    mkdirSync(join(root, 'nb', 'data', 'deep'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'nb', 'a.ipynb'), '{}');
    writeFileSync(join(root, 'nb', 'data', 'x.csv'), '1');
    writeFileSync(join(root, 'nb', 'data', 'deep', 'y.csv'), '2');
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    symlinkSync(outside, join(root, 'nb', 'link-out'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'nb', 'data', 'secret.csv'));
    symlinkSync(join(root, 'nb', 'a.ipynb'), join(root, 'nb', 'alias.ipynb'));
  });
  afterEach(() => dir.cleanup());

  it('resolves relative paths inside the root, existing or not', () => {
    expect(resolveInWorkspace(root, 'nb/a.ipynb')).toBe(join(root, 'nb', 'a.ipynb'));
    expect(resolveInWorkspace(root, 'nb/./data/../a.ipynb')).toBe(join(root, 'nb', 'a.ipynb'));
    expect(resolveInWorkspace(root, 'nb/missing/new.yaml')).toBe(join(root, 'nb', 'missing', 'new.yaml'));
    expect(resolveInWorkspace(root, 'nb/alias.ipynb')).toBe(join(root, 'nb', 'alias.ipynb'));
  });

  it.each([['../outside/secret.txt'], ['nb/../../outside/secret.txt'], ['/etc/passwd'], ['nb/a\0.ipynb'], ['nb/link-out/secret.txt'], ['nb/data/secret.csv'], ['nb/link-out/new.txt'], ['']])(
    'refuses %j with path_outside_workspace',
    rel => {
      expect(codeOf(() => resolveInWorkspace(root, rel))).toBe('path_outside_workspace');
    }
  );

  it('expands globs to sorted relative files and never follows symlinks', () => {
    expect(expandGlobs(root, 'nb', ['data/*.csv'])).toEqual(['data/x.csv']);
    expect(expandGlobs(root, 'nb', ['data/**/*.csv', '*.ipynb'])).toEqual(['a.ipynb', 'data/deep/y.csv', 'data/x.csv']);
    expect(expandGlobs(root, 'nb', ['link-out/**'])).toEqual([]);
    expect(expandGlobs(root, '', ['nb/data/x.csv'])).toEqual(['nb/data/x.csv']);
    expect(expandGlobs(root, 'nb', [])).toEqual([]);
  });

  it('refuses globs that climb out or are absolute, and a base outside the root', () => {
    expect(codeOf(() => expandGlobs(root, 'nb', ['../**']))).toBe('path_outside_workspace');
    expect(codeOf(() => expandGlobs(root, 'nb', ['data/../../x']))).toBe('path_outside_workspace');
    expect(codeOf(() => expandGlobs(root, 'nb', ['/etc/*']))).toBe('path_outside_workspace');
    expect(codeOf(() => expandGlobs(root, '../outside', ['*']))).toBe('path_outside_workspace');
  });

  it('refuses globs matching too many files', () => {
    const before = GLOB_LIMITS.maxFiles;
    GLOB_LIMITS.maxFiles = 2;
    try {
      expect(expandGlobs(root, 'nb', ['data/**/*.csv'])).toHaveLength(2);
      expect(codeOf(() => expandGlobs(root, 'nb', ['**/*']))).toBe('too_many_files');
    } finally {
      GLOB_LIMITS.maxFiles = before;
    }
  });
});
