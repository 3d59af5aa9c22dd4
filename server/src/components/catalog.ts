import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { globSync } from 'tinyglobby';
import type { Component, ComponentEntry } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import { readInWorkspace, workspaceRoot } from '../core/workspace';
import type { Resolved } from './expand';
import { ComponentRegistry, qualified, splitQualified } from './registry';
import { checkComponent, newestFirst, parseComponentText, parseRef } from './spec';

/** Where the built-in components and templates are: `assets/` beside the bundle, or `server/assets` in the source tree. */
export function assetsDir(): string {
  const candidates = [process.env.CONVEYOR_ASSETS_DIR, join(__dirname, 'assets'), join(__dirname, '..', '..', 'assets')].filter((x): x is string => Boolean(x));
  return candidates.find(d => existsSync(join(d, 'components'))) ?? candidates[candidates.length - 1];
}

const WORKSPACE_GLOBS = ['components/**/*.component.yaml', 'components/**/*.component.yml', 'components/**/*.component.json'];
const MAX_WORKSPACE_FILES = 500;
const MAX_FILE_BYTES = 1024 * 1024;

/** Built-in components: one folder per component with `component.yaml`; every other file of the folder becomes an implementation file. */
export function loadBuiltins(dir = join(assetsDir(), 'components')): Component[] {
  if (!existsSync(dir)) return [];
  const filesOf = (folder: string): Record<string, string> =>
    Object.fromEntries(
      (existsSync(folder) ? readdirSync(folder).sort() : [])
        .filter(f => f !== 'component.yaml' && statSync(join(folder, f)).isFile())
        .map(f => [f, readFileSync(join(folder, f), 'utf8')])
    );
  // `_shared/`: helpers every built-in gets beside its own files.
  const shared = filesOf(join(dir, '_shared'));
  return readdirSync(dir)
    .sort()
    .filter(d => !d.startsWith('_') && existsSync(join(dir, d, 'component.yaml')))
    .map(d => {
      const raw = parseComponentText(readFileSync(join(dir, d, 'component.yaml'), 'utf8'), `built-in ${d}`) as Component;
      const files: Record<string, string> = { ...shared, ...(raw.implementation?.files ?? {}), ...filesOf(join(dir, d)) } as Record<string, string>;
      return checkComponent({ ...raw, implementation: { ...raw.implementation, files } }, `built-in ${d}`);
    });
}

interface WorkspaceComponent {
  path: string;
  spec: Component;
}

function entry(source: ComponentEntry['source'], ref: string, spec: Component, versions: string[], extra: Partial<ComponentEntry> = {}): ComponentEntry {
  return { ref, name: ref.slice(0, ref.lastIndexOf('@')), source, versions, spec, ...extra };
}

/** Groups specs by name: one entry per name with its newest version and the list of versions. */
function newestOf<T extends { spec: Component }>(items: T[], key: (t: T) => string): Map<string, { newest: T; versions: string[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  const out = new Map<string, { newest: T; versions: string[] }>();
  for (const [k, list] of groups) {
    const versions = newestFirst(list.map(i => i.spec.version));
    out.set(k, { newest: list.find(i => i.spec.version === versions[0])!, versions });
  }
  return out;
}

/**
 * The catalog: built-in components, component files in the workspace (`components/**\/*.component.{yaml,json}`)
 * and the registry. Unqualified refs resolve in the workspace first, then among the built-ins;
 * registry components are always qualified (`users/<owner>/<name>`, `shared/<name>`).
 */
export class Catalog {
  private builtins?: Component[];

  constructor(private readonly deps: { workspaceDir: string; registry: ComponentRegistry; builtinsDir?: string }) {}

  builtin(): Component[] {
    this.builtins ??= loadBuiltins(this.deps.builtinsDir);
    return this.builtins;
  }

  /** Component files of the workspace; unreadable ones are reported, not fatal. */
  workspace(): { items: WorkspaceComponent[]; errors: { path: string; message: string }[] } {
    const root = workspaceRoot(this.deps.workspaceDir);
    const items: WorkspaceComponent[] = [];
    const errors: { path: string; message: string }[] = [];
    if (!existsSync(join(root, 'components'))) return { items, errors };
    const found = globSync(WORKSPACE_GLOBS, { cwd: root, onlyFiles: true, followSymbolicLinks: false }).sort().slice(0, MAX_WORKSPACE_FILES);
    for (const rel of found) {
      try {
        const text = readInWorkspace(root, rel, MAX_FILE_BYTES).toString('utf8');
        items.push({ path: rel, spec: checkComponent(parseComponentText(text, rel), rel) });
      } catch (err) {
        errors.push({ path: rel, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return { items, errors };
  }

  /** Every source's newest version of each name, filtered by a text query and a tag. */
  async list(user: string, filter: { q?: string; tag?: string } = {}): Promise<{ components: ComponentEntry[]; errors: { path: string; message: string }[] }> {
    const out: ComponentEntry[] = [];
    for (const [name, g] of newestOf(this.builtin().map(spec => ({ spec })), i => i.spec.name)) {
      out.push(entry('builtin', `${name}@${g.newest.spec.version}`, g.newest.spec, g.versions));
    }
    const ws = this.workspace();
    for (const [name, g] of newestOf(ws.items, i => i.spec.name)) {
      out.push(entry('workspace', `${name}@${g.newest.spec.version}`, g.newest.spec, g.versions, { path: g.newest.path }));
    }
    const published = await this.deps.registry.readable(user);
    for (const [full, g] of newestOf(published, p => qualified(p.namespace, p.spec.name))) {
      out.push(
        entry('registry', `${full}@${g.newest.spec.version}`, g.newest.spec, g.versions, {
          owner: g.newest.owner,
          shared: g.newest.namespace === 'shared',
          publishedAt: g.newest.createdAt,
          ...(g.newest.sharedWith ? { sharedWith: g.newest.sharedWith } : {})
        })
      );
    }
    const q = filter.q?.toLowerCase();
    const components = out
      .filter(e => !filter.tag || (e.spec.tags ?? []).includes(filter.tag))
      .filter(e => !q || [e.ref, e.spec.description ?? '', ...(e.spec.tags ?? [])].some(s => s.toLowerCase().includes(q)))
      .sort((a, b) => a.ref.localeCompare(b.ref));
    return { components, errors: ws.errors };
  }

  /** Every version of one name (qualified for the registry), newest first; 404 when there is none. */
  async versions(user: string, name: string): Promise<ComponentEntry[]> {
    const q = splitQualified(name);
    let found: ComponentEntry[];
    if (q) {
      const all = (await this.deps.registry.readable(user)).filter(p => p.namespace === q.namespace && p.spec.name === q.name);
      const versions = newestFirst(all.map(p => p.spec.version));
      found = all.map(p =>
        entry('registry', `${name}@${p.spec.version}`, p.spec, versions, {
          owner: p.owner,
          shared: p.namespace === 'shared',
          publishedAt: p.createdAt,
          ...(p.sharedWith ? { sharedWith: p.sharedWith } : {})
        })
      );
    } else {
      const ws = this.workspace().items.filter(i => i.spec.name === name);
      const bi = this.builtin().filter(s => s.name === name);
      const wv = newestFirst(ws.map(i => i.spec.version));
      const bv = newestFirst(bi.map(s => s.version));
      found = [
        ...ws.map(i => entry('workspace', `${name}@${i.spec.version}`, i.spec, wv, { path: i.path })),
        ...bi.map(s => entry('builtin', `${name}@${s.version}`, s, bv))
      ];
    }
    if (found.length === 0) throw new AppError(404, 'component_not_found', `No component "${name}" in the catalog`, { name });
    const order = newestFirst(found.map(f => f.spec.version));
    return found.sort((a, b) => order.indexOf(a.spec.version) - order.indexOf(b.spec.version));
  }

  /** The component a `name@version` ref stands for, or why there is none. */
  async resolve(user: string, ref: string): Promise<(Resolved & { entry: ComponentEntry }) | { error: string }> {
    const parsed = parseRef(ref);
    if (!parsed) return { error: `"${ref}" is not a component ref (<name>@<version>)` };
    let list: ComponentEntry[];
    try {
      list = await this.versions(user, parsed.name);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return { error: `no component "${parsed.name}" in the catalog (built-in, workspace components/ or the registry)` };
      throw err;
    }
    const hit = list.find(e => e.spec.version === parsed.version);
    if (!hit) return { error: `component "${parsed.name}" has no version ${parsed.version} (versions: ${newestFirst(list.map(e => e.spec.version)).join(', ')})` };
    const resolved: Resolved & { entry: ComponentEntry } = { ref, spec: hit.spec, entry: hit };
    if (hit.source === 'workspace' && hit.spec.implementation.notebook && hit.path) {
      const nb = posix.join(posix.dirname(hit.path), hit.spec.implementation.notebook);
      try {
        resolved.notebook = readInWorkspace(workspaceRoot(this.deps.workspaceDir), nb);
      } catch {
        return { error: `component ${ref} (${hit.path}): its notebook ${nb} is not in the workspace` };
      }
    }
    return resolved;
  }
}
