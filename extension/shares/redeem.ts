import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyJSONObject } from '@lumino/coreutils';

import type { ShareRedeemed } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { workspaceEntryUrl } from '../workspaces/model';
import { Fetcher, SHARE_PARAM } from './model';

/** The share code a page address carries (`?conveyor-share=<code>`), if any. */
export function shareCodeFrom(href: string): string | null {
  const code = new URL(href).searchParams.get(SHARE_PARAM);
  return code && code.trim() ? code.trim() : null;
}

/** The page address without its share code (so a reload does not redeem it again). */
export function withoutShareCode(href: string): string {
  const url = new URL(href);
  // Keep the other parameters as written (`?reset` must not become `?reset=`).
  const kept = url.search
    .slice(1)
    .split('&')
    .filter(part => part && part.split('=')[0] !== SHARE_PARAM);
  url.search = kept.length ? `?${kept.join('&')}` : '';
  return url.toString();
}

/** Redeem a code for the signed-in user: the server records the use and answers the target. */
export function redeemCode(fetch: Fetcher, code: string): Promise<ShareRedeemed> {
  return fetch<ShareRedeemed>('shares/redeem', {
    method: 'POST',
    body: JSON.stringify({ code }),
    headers: { 'Content-Type': 'application/json' }
  });
}

/** What to tell the user when a code cannot be redeemed. */
export function redeemFailure(error: unknown, trans: TranslationBundle): string {
  const code = (error as { code?: unknown } | null)?.code;
  const status = (error as { response?: { status?: number } } | null)?.response?.status;
  switch (code) {
    case 'share_expired':
      return trans.__('This share link has expired. Ask its owner for a new one.');
    case 'share_revoked':
      return trans.__('This share link was revoked by its owner.');
    case 'share_code_invalid':
      return trans.__('This share link is not valid: it may be mistyped or cut short.');
    case 'share_redeem_throttled':
      return trans.__('Too many invalid share links opened: try again in a few minutes.');
  }
  if (status === 404) {
    return trans.__('This share link is not valid: it may be mistyped or cut short.');
  }
  if (status === 401 || status === 403) {
    return trans.__('Sign in to open this share link.');
  }
  const text = error instanceof Error ? error.message : String(error);
  return trans.__('Could not open the share link: %1', text);
}

/** What a redeemed link opens: a new browser tab, a command, or nothing this page can show. */
export type TargetAction =
  | { type: 'tab'; url: string }
  | { type: 'command'; id: string; args: ReadonlyJSONObject }
  | { type: 'none' };

/**
 * How to open what a redeemed link shares. A workspace opens at its entry, from where the server
 * sends the recipient to a copy of the shared layout of their own.
 */
export function targetAction(redeemed: ShareRedeemed, baseUrl: string): TargetAction {
  const t = redeemed.target;
  switch (redeemed.kind) {
    case 'workspace':
      return t.id ? { type: 'tab', url: workspaceEntryUrl(baseUrl, t.id, t.layout) } : { type: 'none' };
    case 'run':
      return t.id ? { type: 'command', id: CommandIDs.openRun, args: { id: t.id } } : { type: 'none' };
    case 'comparison':
      return t.experiments?.length
        ? { type: 'command', id: CommandIDs.openExperiments, args: { experimentIds: t.experiments.map(String) } }
        : { type: 'none' };
    case 'dataset': {
      const slash = (t.dataset ?? '').indexOf('/');
      if (slash < 1 || !t.version) {
        return { type: 'none' };
      }
      return {
        type: 'command',
        id: CommandIDs.openDatasetVersion,
        args: { owner: t.dataset!.slice(0, slash), name: t.dataset!.slice(slash + 1), ref: t.version }
      };
    }
    default:
      return { type: 'none' };
  }
}

/** A sentence naming what was shared, for the notification. */
export function describeRedeemed(redeemed: ShareRedeemed, trans: TranslationBundle): string {
  const scope = redeemed.scope === 'collaborate' ? trans.__('collaborate') : trans.__('view only');
  const until = new Date(redeemed.expiresAt).toLocaleString();
  switch (redeemed.kind) {
    case 'workspace':
      return trans.__("%1 shared a workspace with you (%2) until %3.", redeemed.owner, scope, until);
    case 'run':
      return trans.__('%1 shared run %2 with you (view only) until %3.', redeemed.owner, redeemed.target.id ?? '', until);
    case 'comparison':
      return trans.__('%1 shared an experiment comparison with you (view only) until %2.', redeemed.owner, until);
    case 'dataset':
      return trans.__('%1 shared dataset %2 with you (view only) until %3.', redeemed.owner, redeemed.target.dataset ?? '', until);
    default:
      return trans.__('%1 shared something with you until %2.', redeemed.owner, until);
  }
}
