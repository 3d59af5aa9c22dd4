import type { TranslationBundle } from '@jupyterlab/translation';

import { ConveyorAPIError } from '../core/api';

/** The server's stable error code, when it answered one. */
export function errorCode(error: unknown): string | null {
  return error instanceof ConveyorAPIError ? error.code : null;
}

/** Whether a fetch / pull / push failed for want of (valid) credentials. */
export function needsCredentials(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  const status = (error as { response?: Response } | null)?.response?.status;
  if (code === 'unauthenticated') {
    return false; // the caller's own Conveyor session, not the remote
  }
  return /auth|credential/i.test(code) || status === 401;
}

/** Paths named in an error's details (e.g. the files a checkout would overwrite). */
export function errorPaths(error: unknown): string[] {
  if (!(error instanceof ConveyorAPIError)) {
    return [];
  }
  const paths = (error.details as { paths?: unknown } | undefined)?.paths;
  return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * What to tell the user when a git action fails: a clear sentence for the conflicts a user can
 * act on (uncommitted work, a merge that is not a fast-forward), else the server's message.
 */
export function describeError(error: unknown, trans: TranslationBundle): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'uncommitted_changes') {
    const paths = errorPaths(error);
    const list = paths.length ? ` ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', …' : ''}` : '';
    return trans.__(
      'You have uncommitted changes that this would overwrite:%1. Commit or discard them first.',
      list
    );
  }
  if (code === 'merge_required') {
    return trans.__(
      'This is not a fast-forward: both branches have new commits. Conveyor only fast-forwards; merge them with the git CLI (git merge) and resolve any conflicts there.'
    );
  }
  if (needsCredentials(error)) {
    return trans.__('The remote refused the credentials: %1', message);
  }
  return message;
}
