import type { Kysely } from 'kysely';
import type { ShareScope } from '../shares/targets';
import type { Database } from '../store/database';
import type { WorkspaceTables } from './tables';

type Row = WorkspaceTables['workspaces'];

/** A workspace and how the caller reaches it. */
export interface Reachable {
  row: Row;
  access: 'owner' | ShareScope;
}

/** Why a status changed, carried by the `workspace` event: culled when idle, stopped at a used-up budget. */
export interface Note {
  reason?: 'idle' | 'budget';
  message?: string;
}

/**
 * Others' workspaces the user reaches through a share link they redeemed that is neither expired
 * nor revoked (the best scope when several links cover one workspace). Nothing is cached.
 */
export async function sharedWith(db: Kysely<Database>, user: string, now: Date): Promise<Reachable[]> {
  if (!user) return [];
  const links = await db
    .selectFrom('share_links')
    .innerJoin('share_grants', 'share_grants.link_id', 'share_links.id')
    .select(['share_links.target_key', 'share_links.scope'])
    .where('share_grants.user', '=', user)
    .where('share_links.kind', '=', 'workspace')
    .where('share_links.revoked_at', 'is', null)
    .where('share_links.expires_at', '>', now.toISOString())
    .execute();
  const scopes = new Map<string, ShareScope>();
  for (const l of links) {
    const id = l.target_key.slice('workspace:'.length);
    if (scopes.get(id) !== 'collaborate') scopes.set(id, l.scope);
  }
  if (scopes.size === 0) return [];
  const rows = await db
    .selectFrom('workspaces')
    .selectAll()
    .where('id', 'in', [...scopes.keys()])
    .where('owner', '!=', user)
    .execute();
  return rows.map(row => ({ row, access: scopes.get(row.id)! }));
}

/** The users (not the owner) holding a redeemed link to the workspace that is neither expired nor revoked. */
export async function linkHolders(db: Kysely<Database>, id: string, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('share_links')
    .innerJoin('share_grants', 'share_grants.link_id', 'share_links.id')
    .select('share_grants.user')
    .where('share_links.kind', '=', 'workspace')
    .where('share_links.target_key', '=', `workspace:${id}`)
    .where('share_links.revoked_at', 'is', null)
    .where('share_links.expires_at', '>', now.toISOString())
    .execute();
  return [...new Set(rows.map(r => r.user))];
}
