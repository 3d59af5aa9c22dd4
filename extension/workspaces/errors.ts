import type { TranslationBundle } from '@jupyterlab/translation';

/** What to tell the user when starting (or another action on) a workspace is refused. */
export interface IWorkspaceFailure {
  /** A short headline naming the cause. */
  title: string;
  /** The server's own explanation (which budget or quota, by how much), or the error text. */
  message: string;
  /** Whether the Resources section (budgets and quotas) helps. */
  showResources: boolean;
}

/**
 * Turn a refused workspace request into a notification: budgets, quotas and the machine (403
 * `budget_exceeded`, 422 `exceeds_quota` / `exceeds_capacity`, 409 `quota_busy`), a read-only share (403
 * `workspace_read_only`), otherwise the server's message under the given headline.
 */
export function workspaceFailure(error: unknown, fallbackTitle: string, trans: TranslationBundle): IWorkspaceFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'budget_exceeded':
      return {
        title: trans.__('%1: your budget is used up', fallbackTitle),
        message,
        showResources: true
      };
    case 'exceeds_quota':
      return {
        title: trans.__('%1: the profile is larger than your quota', fallbackTitle),
        message: trans.__('%1 Choose a smaller resource profile.', message),
        showResources: true
      };
    case 'exceeds_capacity':
      return {
        title: trans.__('%1: the profile is larger than this machine', fallbackTitle),
        message: trans.__('%1 Choose a smaller resource profile.', message),
        showResources: true
      };
    case 'quota_busy':
      return {
        title: trans.__('%1: your quota is in use', fallbackTitle),
        message: trans.__('%1 Stop another workspace or wait for running work to finish, then try again.', message),
        showResources: true
      };
    case 'workspace_read_only':
      return {
        title: trans.__('%1: this workspace is shared with you read-only', fallbackTitle),
        message,
        showResources: false
      };
  }
  return { title: fallbackTitle, message, showResources: false };
}

/**
 * What to tell the owner when a `workspace` server event reports a stop they did not ask for:
 * after its idle time (the home volume is kept), or a used-up budget. Null for other events.
 */
export function stopNotice(event: unknown, trans: TranslationBundle): string | null {
  const e = event as { type?: unknown; name?: unknown; status?: unknown; reason?: unknown; message?: unknown } | null;
  if (!e || e.type !== 'workspace' || (e.status !== 'stopping' && e.status !== 'stopped')) {
    return null;
  }
  const name = typeof e.name === 'string' ? e.name : '';
  if (e.reason === 'budget') {
    const why = typeof e.message === 'string' && e.message ? ` ${e.message}` : '';
    return trans.__('Workspace %1 was stopped: your budget is used up.%2', name, why);
  }
  if (e.reason === 'idle') {
    return trans.__('Workspace %1 was stopped after its idle time; your files are kept. Open it to start it again.', name);
  }
  return null;
}
