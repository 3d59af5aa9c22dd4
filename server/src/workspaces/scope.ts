import { createHash } from 'node:crypto';
import type { WorkspaceAccess } from './service';

/**
 * What a share link's scope lets through the workspace proxy (docs/sharing.md, "Workspaces").
 *
 * - owner, collaborate: everything.
 * - view: reads only. GET/HEAD/OPTIONS of anything (the lab page, static assets, contents, settings,
 *   themes, translations, kernelspecs, layouts, status, the kernel/session/terminal lists); the
 *   websocket of `api/events/subscribe`. Refused: every other method (contents, sessions, kernels,
 *   terminals, settings writes) and the kernel/terminal websockets — except the holder's own
 *   layouts: PUT/DELETE `lab/api/workspaces/<name>` where `<name>` ends with `sharedSuffix(user)`,
 *   so JupyterLab can save the holder's tabs without overwriting the owner's layouts.
 */

/** The per-recipient layout name suffix: `shared-` + the first 12 hex of sha256(user name). */
export function sharedSuffix(user: string): string {
  return `shared-${createHash('sha256').update(user).digest('hex').slice(0, 12)}`;
}

/** The layout a link holder opens: theirs, cloned from the link's layout (or JupyterLab's default). */
export function sharedLayout(user: string, layout: string | null): string {
  return `${layout ?? 'default'}-${sharedSuffix(user)}`;
}

const LAYOUT_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Where `/conveyor/workspaces/<id>/` sends the caller, relative to the workspace's base URL:
 * the owner to `lab` (or `lab/workspaces/<layout>`), a link holder to their own copy of the layout,
 * `lab/workspaces/<layout|default>-shared-<hash>?clone=<layout>`.
 */
export function landing(how: WorkspaceAccess, user: string, layout: string | null): string {
  const name = layout !== null && LAYOUT_NAME.test(layout) ? layout : null;
  if (how === 'owner') return name ? `lab/workspaces/${encodeURIComponent(name)}` : 'lab';
  return `lab/workspaces/${encodeURIComponent(sharedLayout(user, name))}?clone=${name ? encodeURIComponent(name) : ''}`;
}

const LAB_PAGE = /^\/lab(?:\/workspaces\/([^/?#]+))?\/?$/;

/**
 * A link holder's GET of the lab page on a layout that is not theirs (`lab`, `lab/workspaces/<name>`)
 * goes to their own copy of it (`landing`), so their tabs never overwrite the owner's; else null.
 */
export function ownLayout(how: WorkspaceAccess, user: string, method: string, rest: string): string | null {
  if (how === 'owner' || method !== 'GET') return null;
  const m = LAB_PAGE.exec(rest);
  if (!m) return null;
  const name = m[1] === undefined ? null : decoded(m[1]);
  if (name !== null && isOwn(user, name)) return null;
  return landing(how, user, name);
}

function isOwn(user: string, name: string): boolean {
  const suffix = sharedSuffix(user);
  return name === suffix || name.endsWith(`-${suffix}`);
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LAYOUT_PATH = /^\/lab\/api\/workspaces\/([^/?#]+)\/?$/;
/** Websockets a view holder may open (JupyterLab's event stream). */
const VIEW_SOCKETS = [/^\/api\/events\/subscribe\/?$/];

function decoded(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Whether `how` may send `method` to `rest` (the path under the workspace base, starting with `/`). */
export function mayRequest(how: WorkspaceAccess, user: string, method: string, rest: string): boolean {
  if (how !== 'view') return true;
  if (READ_METHODS.has(method.toUpperCase())) return true;
  const layout = LAYOUT_PATH.exec(rest);
  if (layout && (method === 'PUT' || method === 'DELETE')) {
    const name = decoded(layout[1]);
    return name !== null && isOwn(user, name);
  }
  return false;
}

/** Whether `how` may open a websocket at `rest`. */
export function mayUpgrade(how: WorkspaceAccess, rest: string): boolean {
  return how !== 'view' || VIEW_SOCKETS.some(re => re.test(rest));
}

/** Whether a request of `how` may start a stopped workspace (scale to zero): not a view holder. */
export function mayWake(how: WorkspaceAccess): boolean {
  return how !== 'view';
}
