import { AppError } from '../core/errors';

export const SHARE_KINDS = ['workspace', 'run', 'comparison', 'dataset'] as const;
export type ShareKind = (typeof SHARE_KINDS)[number];
export type ShareScope = 'view' | 'collaborate';

/**
 * What a link points at, per kind:
 * - workspace: `{id}` (a workspace id; `layout` optional, a JupyterLab workspace name to clone)
 * - run: `{id}` (a Conveyor run id)
 * - comparison: `{experiments: [ids]}` (1–20 tracking experiments, compared side by side)
 * - dataset: `{dataset: "owner/name", version}` (version: an id; a tag is resolved to its id at creation)
 */
export interface ShareTarget {
  id?: string;
  layout?: string;
  experiments?: number[];
  dataset?: string;
  version?: string;
}

export const MAX_COMPARISON = 20;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LAYOUT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATASET = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function bad(message: string): AppError {
  return new AppError(400, 'invalid_share_target', message);
}

export function isKind(kind: unknown): kind is ShareKind {
  return typeof kind === 'string' && (SHARE_KINDS as readonly string[]).includes(kind);
}

/** The target reduced to the fields its kind uses, checked; 400 `invalid_share_target` otherwise. */
export function normalizeTarget(kind: ShareKind, raw: unknown): ShareTarget {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('target must be an object');
  const t = raw as Record<string, unknown>;
  const allowed: Record<ShareKind, string[]> = {
    workspace: ['id', 'layout'],
    run: ['id'],
    comparison: ['experiments'],
    dataset: ['dataset', 'version']
  };
  const extra = Object.keys(t).filter(k => !allowed[kind].includes(k));
  if (extra.length) throw bad(`A ${kind} target has no ${extra.join(', ')} (it takes ${allowed[kind].join(', ')})`);
  switch (kind) {
    case 'workspace':
    case 'run': {
      if (typeof t.id !== 'string' || !ID.test(t.id)) throw bad(`A ${kind} target needs an id`);
      if (kind === 'workspace' && t.layout !== undefined) {
        if (typeof t.layout !== 'string' || !LAYOUT.test(t.layout)) throw bad('layout must be a JupyterLab workspace name');
        return { id: t.id, layout: t.layout };
      }
      return { id: t.id };
    }
    case 'comparison': {
      const ids = t.experiments;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_COMPARISON || !ids.every(i => Number.isInteger(i) && i >= 0)) {
        throw bad(`A comparison target needs experiments: 1-${MAX_COMPARISON} experiment ids`);
      }
      return { experiments: [...new Set(ids as number[])].sort((a, b) => a - b) };
    }
    case 'dataset': {
      if (typeof t.dataset !== 'string' || !DATASET.test(t.dataset)) throw bad('A dataset target needs dataset: "owner/name"');
      if (typeof t.version !== 'string' || !ID.test(t.version)) throw bad('A dataset target needs a version (id or tag)');
      return { dataset: t.dataset, version: t.version };
    }
  }
}

/**
 * The canonical key access checks look up. A workspace link covers the workspace whatever the
 * layout; a dataset link covers one version (ids are unique across datasets).
 */
export function targetKey(kind: ShareKind, t: ShareTarget): string {
  switch (kind) {
    case 'workspace':
    case 'run':
      return `${kind}:${t.id}`;
    case 'comparison':
      return `comparison:${(t.experiments ?? []).join(',')}`;
    case 'dataset':
      return `dataset:${t.version}`;
  }
}
