import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import { targetKey, type ShareKind, type ShareScope, type ShareTarget } from './targets';

/**
 * The access check other modules import (runs, datasets, workspaces): the scope the user holds on
 * (kind, target) through a link they redeemed that is neither expired nor revoked, else null.
 * The owner's own access is the owning module's business; this only answers for link grants.
 * Revocation and expiry take effect on the next check (nothing is cached).
 */
export async function shareAccess(
  db: Kysely<Database>,
  user: string,
  kind: ShareKind,
  target: ShareTarget,
  now: Date = new Date()
): Promise<ShareScope | null> {
  if (!user) return null;
  const rows = await db
    .selectFrom('share_links')
    .innerJoin('share_grants', 'share_grants.link_id', 'share_links.id')
    .select('share_links.scope')
    .where('share_grants.user', '=', user)
    .where('share_links.kind', '=', kind)
    .where('share_links.target_key', '=', targetKey(kind, target))
    .where('share_links.revoked_at', 'is', null)
    .where('share_links.expires_at', '>', now.toISOString())
    .execute();
  if (rows.some(r => r.scope === 'collaborate')) return 'collaborate';
  return rows.length ? 'view' : null;
}

/** What `shares.access` is to another module: bound to the store. */
export interface ShareAccess {
  access(user: string, kind: ShareKind, target: ShareTarget): Promise<ShareScope | null>;
}

export function createShareAccess(db: Kysely<Database>): ShareAccess {
  return { access: (user, kind, target) => shareAccess(db, user, kind, target) };
}

/**
 * Tracking's raw-SQL flavour (tracking/sql.ts): the experiment ids the user reads through
 * comparison links they redeemed (unexpired, unrevoked).
 */
export async function comparisonExperiments(
  sql: { all(query: string, params?: (string | number | null)[]): Promise<Record<string, unknown>[]> },
  user: string,
  now: Date = new Date()
): Promise<Set<number>> {
  const ids = new Set<number>();
  if (!user) return ids;
  const rows = await sql.all(
    `select l.target_key as k from share_links l join share_grants g on g.link_id = l.id
     where g."user" = ? and l.kind = 'comparison' and l.revoked_at is null and l.expires_at > ?`,
    [user, now.toISOString()]
  );
  for (const r of rows) {
    for (const id of String(r.k).slice('comparison:'.length).split(',')) if (id !== '') ids.add(Number(id));
  }
  return ids;
}
