/** Labels an image carries with its package lists (comma-separated `name==version` / `name=version`). */
export const LABEL_PYTHON = 'io.conveyor.packages.python';
export const LABEL_DEBIAN = 'io.conveyor.packages.debian';
export const LABEL_BUILD_ID = 'io.conveyor.build-id';
export const LABEL_VERSION = 'io.conveyor.version';

export interface PackageLists {
  python: string[];
  debian: string[];
}

export function packagesOf(labels: Record<string, string>): PackageLists {
  const split = (v: string | undefined) => (v ?? '').split(/[,\n]/).map(s => s.trim()).filter(Boolean);
  return { python: split(labels[LABEL_PYTHON]), debian: split(labels[LABEL_DEBIAN]) };
}

const norm = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

export interface PackageQuery {
  name: string;
  /** A version prefix at a component boundary: "2" matches 2.0.3, not 20.1. */
  version?: string;
}

/** `xgboost==2`, `xgboost 2`, `xgboost=2.1` or `xgboost` → a query; undefined when empty. */
export function parsePackageQuery(text: string): PackageQuery | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._+-]*)\s*(?:(?:==|=|\s)\s*([A-Za-z0-9.+:~_-]+))?\s*$/.exec(text);
  if (!m) return undefined;
  return { name: norm(m[1]), version: m[2] };
}

function versionMatches(version: string, prefix: string): boolean {
  if (version === prefix) return true;
  if (!version.startsWith(prefix)) return false;
  return /^[.+~:-]/.test(version.slice(prefix.length));
}

/** The entries of the lists (python first) matching the query. */
export function matchPackages(lists: PackageLists, q: PackageQuery): string[] {
  const out: string[] = [];
  for (const entry of [...lists.python, ...lists.debian]) {
    const m = /^([^=\s]+)\s*={1,2}\s*(.*)$/.exec(entry);
    const name = m ? m[1] : entry;
    const version = m ? m[2] : '';
    // `pkg @ file://…` lines of pip freeze have no version: match by name only.
    const bare = name.split(/\s+@/)[0];
    if (norm(bare) !== q.name) continue;
    if (q.version && !versionMatches(version, q.version)) continue;
    out.push(entry);
  }
  return out;
}
