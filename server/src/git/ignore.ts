import fs from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * .gitignore rules of one working tree, each .gitignore read once per status (isomorphic-git's
 * isIgnored re-reads every ancestor's file for every path). Same semantics: patterns of
 * `a/.gitignore` apply to paths under `a/`, deeper files override shallower ones, `.git/info/exclude`
 * joins the root's rules. Callers do not descend into ignored folders, as git does not.
 */
export class IgnoreRules {
  private readonly matchers = new Map<string, Ignore | null>();

  constructor(
    private readonly dir: string,
    private readonly gitdir: string
  ) {}

  private read(file: string): string {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  }

  private matcher(folder: string): Ignore | null {
    if (this.matchers.has(folder)) return this.matchers.get(folder)!;
    let text = this.read(join(this.dir, folder, '.gitignore'));
    if (folder === '') text = `${this.read(join(this.gitdir, 'info', 'exclude'))}\n${text}`;
    const m = text.trim() ? ignore().add(text) : null;
    this.matchers.set(folder, m);
    return m;
  }

  ignored(path: string, isDir: boolean): boolean {
    const pieces = path.split('/');
    let status = false;
    for (let i = 0; i < pieces.length; i++) {
      const m = this.matcher(pieces.slice(0, i).join('/'));
      if (!m) continue;
      const rel = pieces.slice(i).join('/') + (isDir ? '/' : '');
      status = status ? !m.test(rel).unignored : m.test(rel).ignored;
    }
    return status;
  }
}
