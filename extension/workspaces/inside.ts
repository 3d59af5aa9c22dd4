import type { TranslationBundle } from '@jupyterlab/translation';

import type { ServerStatus } from '../../schema/generated/api';

/**
 * The extension running inside a managed workspace's JupyterLab (docs/workspaces.md, "Conveyor
 * inside a workspace"): the server's status says which workspace, how the caller reaches it, and
 * whether the API reads its files for them (not with a view link).
 */
export type InsideWorkspace = NonNullable<ServerStatus['workspace']>;

/** The workspace this JupyterLab is, or null outside one (or before the first status). */
export function insideWorkspace(status: ServerStatus | null | undefined): InsideWorkspace | null {
  return status?.workspace ?? null;
}

/** The refusal of a file-reading API to a view-link holder inside a workspace. */
export const READ_ONLY_CODE = 'workspace_read_only';

/** Whether `error` is that refusal (an API error with the code `workspace_read_only`). */
export function isReadOnlyRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === READ_ONLY_CODE;
}

/** The calm note a section shows in place of that refusal. */
export function readOnlyNote(trans: TranslationBundle, what: string): string {
  return trans.__('Read-only share: %1', what);
}

/** What the connection gives for these (the core plugin's `ConnectionModel`). */
export interface IStatusSource {
  readonly status: ServerStatus | null;
  readonly changed: { connect(slot: () => void): unknown; disconnect(slot: () => void): unknown };
}

/**
 * Calls `inside` once, when the first status says this JupyterLab is a workspace's (at once if
 * known already). Outside a workspace it keeps listening at no cost, as the answer never changes.
 * Callers keep the answer: the status pushed on the websocket does not carry `workspace`, so a
 * later status may lack it although the page is still the workspace's.
 */
export function whenInsideWorkspace(connection: IStatusSource, inside: (workspace: InsideWorkspace) => void): void {
  const check = (): void => {
    const workspace = insideWorkspace(connection.status);
    if (workspace) {
      connection.changed.disconnect(check);
      inside(workspace);
    }
  };
  connection.changed.connect(check);
  check();
}
